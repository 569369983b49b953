/**
 * What an edge gathers while series are read, and how it becomes a GraphEdge. Gatherings
 * merge (sums, and the larger p95) so the service graph can fold workload edges together.
 */
import { requestHealth } from "./health.ts";
import type { NodeInfo } from "./node-id.ts";
import type { GraphEdge, GraphProtocol, Health } from "./types.ts";

export interface EdgeStats {
  id: string;
  source: NodeInfo;
  target: NodeInfo;
  protocol: GraphProtocol;
  /** HTTP/gRPC requests per second by response key. */
  responses: Map<string, number>;
  requests: number;
  tcpSent: number;
  tcpReceived: number;
  /** Traffic whose reporter knew the connection security policy, and the mutual_tls part of it. */
  policyKnown: number;
  policyMtls: number;
  p95Ms: number | undefined;
  /**
   * Some series that counts as traffic fell on this edge. Edges only the server's copy of
   * a request (for its security policy) or a latency series reached are not drawn.
   */
  reported: boolean;
}

export function edgeId(source: string, target: string, protocol: GraphProtocol): string {
  return `${source}->${target}:${protocol}`;
}

export function newEdgeStats(source: NodeInfo, target: NodeInfo, protocol: GraphProtocol): EdgeStats {
  return {
    id: edgeId(source.id, target.id, protocol),
    source,
    target,
    protocol,
    responses: new Map(),
    requests: 0,
    tcpSent: 0,
    tcpReceived: 0,
    policyKnown: 0,
    policyMtls: 0,
    p95Ms: undefined,
    reported: false,
  };
}

export function addResponse(e: EdgeStats, response: string, rate: number): void {
  if (rate === 0) return; // an idle series still makes its edge, but lists no response
  e.responses.set(response, (e.responses.get(response) ?? 0) + rate);
  e.requests += rate;
}

export function addSecurityPolicy(e: EdgeStats, policy: string, rate: number): void {
  e.policyKnown += rate;
  if (policy === "mutual_tls") e.policyMtls += rate;
}

/**
 * Percentiles cannot be added up (kiali-2297), but the p95 of a mixture is never above the
 * largest p95 of its parts, so the largest is an honest upper bound.
 */
export function addP95(e: EdgeStats, ms: number): void {
  e.p95Ms = e.p95Ms === undefined ? ms : Math.max(e.p95Ms, ms);
}

export function mergeEdgeStats(into: EdgeStats, from: EdgeStats): void {
  for (const [response, rate] of from.responses) addResponse(into, response, rate);
  into.tcpSent += from.tcpSent;
  into.tcpReceived += from.tcpReceived;
  into.policyKnown += from.policyKnown;
  into.policyMtls += from.policyMtls;
  if (from.p95Ms !== undefined) addP95(into, from.p95Ms);
  into.reported ||= from.reported;
}

export function isIdle(e: EdgeStats): boolean {
  return e.protocol === "tcp" ? e.tcpSent + e.tcpReceived <= 0 : e.requests <= 0;
}

export function tcpHealth(bytesPerSecond: number): Health {
  return { status: bytesPerSecond > 0 ? "healthy" : "idle", errorRate: 0, requestRate: 0 };
}

export function toGraphEdge(e: EdgeStats): GraphEdge {
  const mtls = e.policyKnown > 0 ? e.policyMtls / e.policyKnown : 0;
  if (e.protocol === "tcp") {
    return {
      id: e.id,
      source: e.source.id,
      target: e.target.id,
      protocol: "tcp",
      rate: e.tcpSent,
      errorRate: 0,
      responseCodes: {},
      mtls,
      tcp: { sentBytes: e.tcpSent, receivedBytes: e.tcpReceived },
      health: tcpHealth(e.tcpSent + e.tcpReceived),
    };
  }
  const responseCodes = Object.fromEntries(e.responses);
  const health = requestHealth(responseCodes);
  return {
    id: e.id,
    source: e.source.id,
    target: e.target.id,
    protocol: e.protocol,
    rate: e.requests,
    errorRate: health.errorRate,
    responseCodes,
    ...(e.p95Ms !== undefined ? { p95Ms: e.p95Ms } : {}),
    mtls,
    health,
  };
}
