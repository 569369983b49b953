/**
 * Kiali's telemetry.ReduceToServiceGraph: the service graph is the workload graph with
 * service nodes injected, with the workloads taken out. Each service -> workload ->
 * service path becomes one service -> service edge carrying the workload's outbound
 * traffic; traffic generators (roots that are not services, such as callers outside the
 * mesh) stay, with their edges to services, so the reader sees where traffic enters.
 */
import { mergeEdgeStats, newEdgeStats, type EdgeStats } from "./edge-stats.ts";
import type { NodeInfo } from "./node-id.ts";

export interface ReducedGraph {
  edges: Map<string, EdgeStats>;
  /** Every node the service graph shows, including services left without edges. */
  nodes: Map<string, NodeInfo>;
}

export function reduceToServiceGraph(workloadEdges: ReadonlyMap<string, EdgeStats>): ReducedGraph {
  const outbound = new Map<string, EdgeStats[]>();
  const targets = new Set<string>();
  for (const e of workloadEdges.values()) {
    const list = outbound.get(e.source.id);
    if (list) list.push(e);
    else outbound.set(e.source.id, [e]);
    targets.add(e.target.id);
  }

  const nodes = new Map<string, NodeInfo>();
  const edges = new Map<string, EdgeStats>();
  const add = (source: NodeInfo, hop: EdgeStats) => {
    const merged = newEdgeStats(source, hop.target, hop.protocol);
    const existing = edges.get(merged.id);
    mergeEdgeStats(existing ?? merged, hop);
    if (!existing) edges.set(merged.id, merged);
  };

  // a service reaches a workload over one edge per protocol; follow the workload once
  const followed = new Set<string>();
  for (const e of workloadEdges.values()) {
    for (const end of [e.source, e.target]) if (end.type === "service") nodes.set(end.id, end);
    if (e.source.type === "service") {
      const pair = `${e.source.id}|${e.target.id}`;
      if (followed.has(pair)) continue;
      followed.add(pair);
      // service -> workload: follow the workload's calls to other services
      for (const next of outbound.get(e.target.id) ?? []) {
        if (next.target.type === "service") add(e.source, next);
      }
    } else if (!targets.has(e.source.id) && e.target.type === "service") {
      nodes.set(e.source.id, e.source);
      add(e.source, e);
    }
  }
  return { edges, nodes };
}
