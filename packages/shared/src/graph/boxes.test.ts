import { describe, expect, it } from "vitest";
import { addBoxes } from "./boxes.ts";
import type { GraphEdge, GraphNode } from "./types.ts";

const leaf = (id: string, over: Partial<GraphNode>): GraphNode => ({
  id,
  type: "app",
  namespace: "shop",
  health: { status: "healthy", errorRate: 0, requestRate: 0 },
  traffic: { in: 0, out: 0, tcpIn: 0, tcpOut: 0 },
  ...over,
});

const edge = (source: string, target: string, responseCodes: Record<string, number>, tcp?: number): GraphEdge => ({
  id: `${source}->${target}`,
  source,
  target,
  protocol: tcp ? "tcp" : "http",
  rate: tcp ?? Object.values(responseCodes).reduce((a, b) => a + b, 0),
  errorRate: 0,
  responseCodes,
  mtls: 1,
  ...(tcp ? { tcp: { sentBytes: tcp, receivedBytes: 0 } } : {}),
  health: { status: "healthy", errorRate: 0, requestRate: 0 },
});

describe("addBoxes", () => {
  it("boxes the versions of an app and judges the box on the requests entering it", () => {
    const nodes = [leaf("v1", { app: "reviews", version: "v1" }), leaf("v2", { app: "reviews", version: "v2" }), leaf("svc", { type: "service", service: "reviews" })];
    const edges = [edge("svc", "v1", { "2xx": 9 }), edge("svc", "v2", { "5xx": 1 }), edge("v1", "v2", { "5xx": 5 }), edge("v2", "db", {}, 300)];
    expect(addBoxes(nodes, edges)).toEqual([
      {
        id: "box:app:shop:reviews",
        type: "box",
        box: "app",
        namespace: "shop",
        app: "reviews",
        health: { status: "failure", errorRate: 10, requestRate: 10 },
        traffic: { in: 10, out: 0, tcpIn: 0, tcpOut: 300 },
      },
    ]);
    expect(nodes.map((n) => n.parent)).toEqual(["box:app:shop:reviews", "box:app:shop:reviews", undefined]);
  });

  it("does not box a lone app, a service or the unknown node", () => {
    const nodes = [leaf("a", { app: "ratings" }), leaf("s", { type: "service", app: "x" }), leaf("u", { type: "unknown", namespace: "unknown", app: "unknown" })];
    expect(addBoxes(nodes, [])).toEqual([]);
  });

  it("boxes namespaces around app boxes when the graph spans several, counting what crosses the border once", () => {
    const nodes = [
      leaf("v1", { app: "reviews" }),
      leaf("v2", { app: "reviews" }),
      leaf("svc", { type: "service", service: "reviews" }),
      leaf("db", { namespace: "data", app: "mongo", isOutside: true }),
      leaf("dbsvc", { namespace: "data", type: "service", service: "mongo", isOutside: true }),
      leaf("u", { type: "unknown", namespace: "unknown" }),
    ];
    const edges = [edge("u", "svc", { "2xx": 4 }), edge("svc", "v1", { "2xx": 2 }), edge("svc", "v2", { "2xx": 2 }), edge("v1", "dbsvc", {}, 50), edge("dbsvc", "db", {}, 50)];
    const boxes = addBoxes(nodes, edges);
    expect(boxes.map((b) => b.id)).toEqual(["box:ns:data", "box:ns:shop", "box:app:shop:reviews"]);
    const shop = boxes.find((b) => b.id === "box:ns:shop")!;
    expect(shop.parent).toBeUndefined();
    expect(shop).toMatchObject({ traffic: { in: 4, out: 0, tcpIn: 0, tcpOut: 50 }, health: { status: "healthy", requestRate: 4 } });
    expect(boxes.find((b) => b.id === "box:app:shop:reviews")?.parent).toBe("box:ns:shop");
    expect(boxes.find((b) => b.id === "box:ns:data")).toMatchObject({ isOutside: true, traffic: { tcpIn: 50 }, health: { status: "healthy" } });
    expect(Object.fromEntries(nodes.map((n) => [n.id, n.parent]))).toEqual({
      v1: "box:app:shop:reviews",
      v2: "box:app:shop:reviews",
      svc: "box:ns:shop",
      db: "box:ns:data",
      dbsvc: "box:ns:data",
      u: undefined,
    });
  });
});
