import { describe, expect, it } from "vitest";
import type { GraphEdge, GraphNode } from "@skein/shared/browser";
import { flattenBoxes, formatBytesRate, nodeLabel, toEdgeData, toNodeData } from "./elements.ts";

const health = { status: "healthy" as const, errorRate: 0, requestRate: 5 };
const traffic = { in: 5, out: 0, tcpIn: 0, tcpOut: 0 };

describe("toNodeData", () => {
  it("carries the names, health, badges and a two-line label of a versioned app", () => {
    const n: GraphNode = { id: "vapp:shop:reviews-v2", type: "app", namespace: "shop", app: "reviews", version: "v2", workload: "reviews-v2", parent: "box:app:shop:reviews", health, traffic, badges: ["circuitBreaker"] };
    expect(toNodeData(n, 1)).toEqual({
      id: "vapp:shop:reviews-v2",
      parent: "box:app:shop:reviews",
      nodeType: "app",
      namespace: "shop",
      app: "reviews",
      version: "v2",
      workload: "reviews-v2",
      health: "healthy",
      badges: ["circuitBreaker"],
      rate: 5,
      errorRate: 0,
      isRoot: false,
      isOutside: false,
      label: "reviews\nv2",
    });
  });

  it("calls an idle node na", () => {
    const n: GraphNode = { id: "svc:shop:x", type: "service", namespace: "shop", service: "x", health: { status: "idle", errorRate: 0, requestRate: 0 }, traffic };
    expect(toNodeData(n, 1).health).toBe("na");
  });
});

describe("nodeLabel", () => {
  const base = { health, traffic };
  it("names a node outside the chosen namespaces with its namespace", () => {
    expect(nodeLabel({ ...base, id: "svc:other:db", type: "service", namespace: "other", service: "db", isOutside: true }, 1)).toBe("db\n(other)");
  });
  it("names boxes by app or namespace", () => {
    expect(nodeLabel({ ...base, id: "box:app:shop:reviews", type: "box", box: "app", namespace: "shop", app: "reviews" }, 1)).toBe("reviews");
    expect(nodeLabel({ ...base, id: "box:ns:shop", type: "box", box: "namespace", namespace: "shop" }, 2)).toBe("shop");
  });
});

describe("toEdgeData", () => {
  const e: GraphEdge = {
    id: "a->b:http",
    source: "a",
    target: "b",
    protocol: "http",
    rate: 4.982,
    errorRate: 1.46,
    responseCodes: { "2xx": 4.91, "5xx": 0.073 },
    p95Ms: 245.0000001,
    mtls: 1,
    health: { status: "degraded", errorRate: 1.46, requestRate: 4.982 },
  };
  it("gives mTLS as a percentage and ready labels for each metric", () => {
    expect(toEdgeData(e)).toEqual({
      id: "a->b:http",
      source: "a",
      target: "b",
      protocol: "http",
      health: "degraded",
      isMTLS: 100,
      rate: 4.982,
      errorRate: 1.46,
      p95: 245.0000001,
      labelRate: "4.98 rps",
      labelErrorRate: "1.46%",
      labelP95: "245 ms",
    });
  });
  it("labels no error share on a clean edge and bytes on a TCP edge", () => {
    const tcp = toEdgeData({ ...e, protocol: "tcp", rate: 2048, errorRate: 0, tcp: { sentBytes: 2048, receivedBytes: 10 }, mtls: 0.5 });
    expect(tcp.labelRate).toBe("2.05 kB/s");
    expect(tcp.labelErrorRate).toBe("");
    expect(tcp.isMTLS).toBe(50);
  });
});

describe("formatBytesRate", () => {
  it.each([
    [12, "12 B/s"],
    [1_500_000, "1.5 MB/s"],
  ])("%d reads %s", (v, text) => {
    expect(formatBytesRate(v)).toBe(text);
  });
});

describe("flattenBoxes", () => {
  it("takes boxes out and lists each box's leaves at any depth", () => {
    const leaf = (id: string, parent?: string) => toNodeData({ id, type: "app", namespace: "shop", app: id, health, traffic, ...(parent ? { parent } : {}) }, 2);
    const ns = toNodeData({ id: "box:ns:shop", type: "box", box: "namespace", namespace: "shop", health, traffic }, 2);
    const app = toNodeData({ id: "box:app:shop:r", type: "box", box: "app", namespace: "shop", app: "r", parent: "box:ns:shop", health, traffic }, 2);
    const out = flattenBoxes({ nodes: [ns, app, leaf("r1", "box:app:shop:r"), leaf("r2", "box:app:shop:r"), leaf("p", "box:ns:shop"), leaf("x")], edges: [] });
    expect(out.elements.nodes.map((n) => [n.id, n.parent])).toEqual([
      ["r1", undefined],
      ["r2", undefined],
      ["p", undefined],
      ["x", undefined],
    ]);
    expect(out.boxes).toEqual([
      { id: "box:ns:shop", box: "namespace", label: "shop", health: "healthy", members: ["r1", "r2", "p"] },
      { id: "box:app:shop:r", box: "app", label: "r", health: "healthy", members: ["r1", "r2"] },
    ]);
  });
  it("returns the same elements when there are no boxes", () => {
    const e = { nodes: [], edges: [] };
    expect(flattenBoxes(e).elements).toBe(e);
  });
});
