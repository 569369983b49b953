import { describe, expect, it } from "vitest";
import { addResponse, newEdgeStats, type EdgeStats } from "./edge-stats.ts";
import { UNKNOWN_SOURCE, type NodeInfo } from "./node-id.ts";
import { reduceToServiceGraph } from "./service-graph.ts";

const svc = (name: string): NodeInfo => ({ id: `svc:shop:${name}`, type: "service", namespace: "shop", service: name });
const wkl = (name: string): NodeInfo => ({ id: `wl:shop:${name}`, type: "workload", namespace: "shop", workload: name });

function edges(...list: Array<[NodeInfo, NodeInfo, number, ("http" | "grpc" | "tcp")?]>): Map<string, EdgeStats> {
  const m = new Map<string, EdgeStats>();
  for (const [from, to, rate, protocol = "http"] of list) {
    const e = newEdgeStats(from, to, protocol);
    addResponse(e, "2xx", rate);
    e.reported = true;
    m.set(e.id, e);
  }
  return m;
}

describe("reduceToServiceGraph", () => {
  it("turns service -> workload -> service into service -> service with the workload's outbound traffic", () => {
    const g = reduceToServiceGraph(
      edges(
        [UNKNOWN_SOURCE, svc("front"), 10],
        [svc("front"), wkl("front-v1"), 10],
        [wkl("front-v1"), svc("reviews"), 6],
        [svc("reviews"), wkl("reviews-v1"), 3],
        [svc("reviews"), wkl("reviews-v2"), 3],
        [wkl("reviews-v1"), svc("ratings"), 2],
        [wkl("reviews-v2"), svc("ratings"), 1],
      ),
    );
    const rates = Object.fromEntries([...g.edges.values()].map((e) => [e.id, e.requests]));
    expect(rates).toEqual({
      "unknown->svc:shop:front:http": 10,
      "svc:shop:front->svc:shop:reviews:http": 6,
      "svc:shop:reviews->svc:shop:ratings:http": 3,
    });
    expect([...g.nodes.keys()].sort()).toEqual(["svc:shop:front", "svc:shop:ratings", "svc:shop:reviews", "unknown"]);
  });

  it("keeps a root workload with its edges to services, and drops direct workload -> workload edges", () => {
    const g = reduceToServiceGraph(edges([wkl("loadgen"), svc("front"), 5], [wkl("loadgen"), wkl("batch"), 1], [svc("front"), wkl("front-v1"), 5]));
    expect([...g.edges.keys()]).toEqual(["wl:shop:loadgen->svc:shop:front:http"]);
    expect(g.nodes.has("wl:shop:loadgen")).toBe(true);
    expect(g.nodes.has("wl:shop:batch")).toBe(false);
  });

  it("follows a workload once even when its service reaches it over two protocols", () => {
    const g = reduceToServiceGraph(
      edges([svc("api"), wkl("api-v1"), 1, "http"], [svc("api"), wkl("api-v1"), 1, "grpc"], [wkl("api-v1"), svc("db"), 100, "tcp"]),
    );
    expect(g.edges.get("svc:shop:api->svc:shop:db:tcp")?.requests).toBe(100);
  });
});
