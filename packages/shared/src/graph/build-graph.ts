/**
 * Builds the service graph from the results of graphQueries(), as Kiali's Istio telemetry
 * provider does (graph/telemetry/istio/istio.go and its appenders): series -> hops between
 * nodes (with the destination service injected) -> edges with rates, response codes, mTLS
 * share and p95 -> nodes with traffic and health -> app and namespace boxes. Pure: the same
 * results give the same graph, with the same ids and in the same order.
 */
import { addBoxes } from "./boxes.ts";
import { EndpointsMap } from "./endpoints-map.ts";
import { addP95, addResponse, addSecurityPolicy, edgeId, isIdle, newEdgeStats, toGraphEdge, type EdgeStats } from "./edge-stats.ts";
import { nodeHealth } from "./health.ts";
import { hopsFor, type NodeInfo } from "./node-id.ts";
import { reduceToServiceGraph } from "./service-graph.ts";
import { countsAsTraffic, isSuccessfulResponse, readSeries, touches, UNKNOWN, type MeshSeries } from "./series.ts";
import type { Graph, GraphEdge, GraphNode, GraphOptions, GraphQueryResult, NodeTraffic } from "./types.ts";

/**
 * `options.window` is not needed here (rates come per second already); it is part of the
 * options so the API passes one object to graphQueries and buildGraph.
 */
export function buildGraph(results: readonly GraphQueryResult[], options: GraphOptions): Graph {
  const namespaces = new Set(options.namespaces);
  const edges = new Map<string, EdgeStats>();
  const latency = new EndpointsMap<MeshSeries, Latency>((_, s) => ({ series: s, fromDestination: s.reporter === "destination" }));

  // Many series share their two ends (one per response code, flag and reporter): resolve
  // the ends to edges once per distinct pair, which is most of the work on a large mesh.
  const edgesOf = new EndpointsMap<MeshSeries, EdgeStats[]>((protocol, s) =>
    hopsFor(options.graphType, s).map(([source, target]) => {
      const id = edgeId(source.id, target.id, protocol);
      let e = edges.get(id);
      if (!e) edges.set(id, (e = newEdgeStats(source, target, protocol)));
      return e;
    }),
  );

  for (const { metric, result } of results) {
    for (const sample of result) {
      const s = readSeries(sample);
      if (!s || !touches(s, namespaces)) continue;
      if (metric === "latency") {
        if (isSuccessfulResponse(sample)) preferDestination(latency, s);
        continue;
      }
      const counts = countsAsTraffic(s);
      for (const e of edgesOf.get(metric === "requests" ? s.protocol : "tcp", s)) {
        // The server's view of the security policy applies to every edge of the request.
        if (s.securityPolicy !== UNKNOWN) addSecurityPolicy(e, s.securityPolicy, s.value);
        if (!counts) continue;
        e.reported = true;
        if (metric === "requests") addResponse(e, s.response, s.value);
        else if (metric === "tcpSent") e.tcpSent += s.value;
        else e.tcpReceived += s.value;
      }
    }
  }
  for (const { series } of latency.values()) {
    for (const e of edgesOf.get(series.protocol, series)) addP95(e, series.value);
  }

  let kept = new Map<string, EdgeStats>();
  for (const [id, e] of edges) if (e.reported && (options.includeIdleEdges || !isIdle(e))) kept.set(id, e);
  const infos = new Map<string, NodeInfo>();
  if (options.graphType === "service") {
    const reduced = reduceToServiceGraph(kept);
    kept = reduced.edges;
    for (const [id, n] of reduced.nodes) infos.set(id, n);
  }
  for (const e of kept.values()) {
    infos.set(e.source.id, e.source);
    infos.set(e.target.id, e.target);
  }

  const graphEdges = [...kept.values()].map(toGraphEdge).sort(byId);
  const nodes = toNodes(infos, graphEdges, namespaces).sort(byId);
  const boxes = addBoxes(nodes, graphEdges);
  return { nodes: [...boxes, ...nodes], edges: graphEdges };
}

interface Latency {
  series: MeshSeries;
  fromDestination: boolean;
}

/**
 * graphQueries reads each histogram series once (the client's view of meshed callers, the
 * server's of callers outside the mesh), so an edge's ends normally get one reporter's p95.
 * Should results carry both, the server's is kept: its timing leaves out the network
 * between the proxies.
 */
function preferDestination(latency: EndpointsMap<MeshSeries, Latency>, s: MeshSeries): void {
  const seen = latency.get(s.protocol, s);
  if (seen.series === s) return; // the first series of its ends
  const fromDestination = s.reporter === "destination";
  if (fromDestination && !seen.fromDestination) {
    seen.series = s;
    seen.fromDestination = true;
  } else if (seen.fromDestination === fromDestination && s.value > seen.series.value) seen.series = s;
}

function toNodes(
  infos: ReadonlyMap<string, NodeInfo>,
  edges: readonly GraphEdge[],
  namespaces: ReadonlySet<string>,
): GraphNode[] {
  const traffic = new Map<string, NodeTraffic>();
  const inbound = new Map<string, Record<string, number>>();
  const hasInbound = new Set<string>();
  const hasOutbound = new Set<string>();
  for (const id of infos.keys()) {
    traffic.set(id, { in: 0, out: 0, tcpIn: 0, tcpOut: 0 });
    inbound.set(id, {});
  }
  for (const e of edges) {
    const from = traffic.get(e.source)!;
    const to = traffic.get(e.target)!;
    hasOutbound.add(e.source);
    hasInbound.add(e.target);
    if (e.tcp) {
      from.tcpOut += e.tcp.sentBytes + e.tcp.receivedBytes;
      to.tcpIn += e.tcp.sentBytes + e.tcp.receivedBytes;
      continue;
    }
    from.out += e.rate;
    to.in += e.rate;
    const codes = inbound.get(e.target)!;
    for (const [key, rate] of Object.entries(e.responseCodes)) codes[key] = (codes[key] ?? 0) + rate;
  }

  const list: GraphNode[] = [];
  for (const [id, info] of infos) {
    const t = traffic.get(id)!;
    const node: GraphNode = { ...info, health: nodeHealth(inbound.get(id)!, t), traffic: t };
    // Kiali's MarkTrafficGenerators and MarkOutsideOrInaccessible
    if (hasOutbound.has(id) && !hasInbound.has(id)) node.isRoot = true;
    if (info.namespace !== UNKNOWN && !namespaces.has(info.namespace)) node.isOutside = true;
    list.push(node);
  }
  return list;
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
