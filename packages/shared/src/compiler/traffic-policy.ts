import { parseDurationMs } from "../model/common.ts";
import type { DestinationRuleSpec, Subset } from "../model/destination-rule.ts";
import type { TrafficPolicy } from "../model/traffic-policy.ts";
import type { ConnectionPool, LoadBalancer, OutlierDetection, UpstreamTls } from "./snapshot.ts";

/** What Istio writes for "no limit" (max uint32). */
export const UNLIMITED = 4294967295;

/** Istio's defaults when a DestinationRule leaves the connection pool unset. */
export const DEFAULT_CONNECTION_POOL: ConnectionPool = {
  maxConnections: UNLIMITED,
  connectTimeoutMs: 10_000,
  http1MaxPendingRequests: UNLIMITED,
  http2MaxRequests: UNLIMITED,
  maxRequestsPerConnection: 0,
  maxRetries: UNLIMITED,
  idleTimeoutMs: 3_600_000,
};

type Policy = NonNullable<TrafficPolicy>;
type PortPolicy = NonNullable<Policy["portLevelSettings"]>[number];

/**
 * The traffic policy in force for one cluster: the rule's top-level policy, overridden
 * field by field (loadBalancer, connectionPool, outlierDetection, tls) by the port-level
 * settings for the port, then by the subset's policy and its port-level settings —
 * Istio's merge order for a subset cluster.
 */
export function effectivePolicy(dr: DestinationRuleSpec | undefined, subset: Subset | undefined, port: number): Partial<PortPolicy> {
  const layers: (Partial<PortPolicy> | undefined)[] = [
    dr?.trafficPolicy,
    portLevel(dr?.trafficPolicy, port),
    subset?.trafficPolicy,
    portLevel(subset?.trafficPolicy, port),
  ];
  const out: Partial<PortPolicy> = {};
  for (const l of layers) {
    if (!l) continue;
    if (l.loadBalancer) out.loadBalancer = l.loadBalancer;
    if (l.connectionPool) out.connectionPool = l.connectionPool;
    if (l.outlierDetection) out.outlierDetection = l.outlierDetection;
    if (l.tls) out.tls = l.tls;
  }
  return out;
}

function portLevel(p: TrafficPolicy | undefined, port: number): PortPolicy | undefined {
  return p?.portLevelSettings?.find((s) => s.port?.number === port);
}

const ms = (d: string | undefined, fallback: number): number => (d === undefined ? fallback : (parseDurationMs(d) ?? fallback));

export function compileLoadBalancer(lb: PortPolicy["loadBalancer"]): LoadBalancer {
  if (lb?.consistentHash) {
    const h = lb.consistentHash;
    const maglev = h.maglev !== undefined;
    const ringSize = h.maglev?.tableSize ?? h.ringHash?.minimumRingSize ?? h.minimumRingSize ?? (maglev ? 65537 : 1024);
    const hashOn: Extract<LoadBalancer, { type: "CONSISTENT_HASH" }>["hashOn"] = h.httpHeaderName
      ? { header: h.httpHeaderName.toLowerCase() }
      : h.httpCookie
        ? { cookie: { name: h.httpCookie.name ?? "", ...(h.httpCookie.path ? { path: h.httpCookie.path } : {}), ...(h.httpCookie.ttl ? { ttlMs: ms(h.httpCookie.ttl, 0) } : {}) } }
        : h.httpQueryParameterName
          ? { queryParameter: h.httpQueryParameterName }
          : { sourceIp: true };
    return { type: "CONSISTENT_HASH", hashOn, ringSize, algorithm: maglev ? "MAGLEV" : "RING_HASH" };
  }
  switch (lb?.simple) {
    case "ROUND_ROBIN":
      return { type: "ROUND_ROBIN" };
    case "RANDOM":
      return { type: "RANDOM" };
    case "PASSTHROUGH":
      return { type: "PASSTHROUGH" };
    default:
      // UNSPECIFIED, LEAST_REQUEST and its old alias LEAST_CONN: Istio's default.
      return { type: "LEAST_REQUEST" };
  }
}

export function compileConnectionPool(cp: PortPolicy["connectionPool"]): ConnectionPool {
  const tcp = cp?.tcp;
  const http = cp?.http;
  // Istio treats 0 as "use the default" for these limits.
  const limit = (n: number | undefined, fallback: number) => (n === undefined || n === 0 ? fallback : n);
  return {
    maxConnections: limit(tcp?.maxConnections, DEFAULT_CONNECTION_POOL.maxConnections),
    connectTimeoutMs: ms(tcp?.connectTimeout, DEFAULT_CONNECTION_POOL.connectTimeoutMs),
    http1MaxPendingRequests: limit(http?.http1MaxPendingRequests, DEFAULT_CONNECTION_POOL.http1MaxPendingRequests),
    http2MaxRequests: limit(http?.http2MaxRequests, DEFAULT_CONNECTION_POOL.http2MaxRequests),
    maxRequestsPerConnection: http?.maxRequestsPerConnection ?? 0,
    maxRetries: limit(http?.maxRetries, DEFAULT_CONNECTION_POOL.maxRetries),
    idleTimeoutMs: ms(http?.idleTimeout, DEFAULT_CONNECTION_POOL.idleTimeoutMs!),
  };
}

/**
 * Istio's outlier detection defaults: consecutive 5xx 5 when unset (0 disables),
 * gateway errors off unless set, interval 10s, base ejection 30s, max ejection 10%,
 * min health 0% (Envoy's panic threshold disabled).
 */
export function compileOutlierDetection(od: PortPolicy["outlierDetection"]): OutlierDetection | undefined {
  if (!od) return undefined;
  return {
    consecutive5xxErrors: od.consecutive5xxErrors ?? 5,
    // The deprecated consecutiveErrors counted 502/503/504, i.e. gateway errors.
    consecutiveGatewayErrors: od.consecutiveGatewayErrors ?? od.consecutiveErrors ?? 0,
    intervalMs: ms(od.interval, 10_000),
    baseEjectionTimeMs: ms(od.baseEjectionTime, 30_000),
    maxEjectionPercent: od.maxEjectionPercent ?? 10,
    minHealthPercent: od.minHealthPercent ?? 0,
  };
}

export function compileUpstreamTls(tls: PortPolicy["tls"], expectedSpiffeIds: string[]): UpstreamTls {
  if (!tls?.mode) return { mode: "ISTIO_MUTUAL", auto: true, expectedSpiffeIds };
  return {
    mode: tls.mode,
    auto: false,
    expectedSpiffeIds: tls.subjectAltNames && tls.subjectAltNames.length > 0 ? tls.subjectAltNames : expectedSpiffeIds,
    ...(tls.sni ? { sni: tls.sni } : {}),
  };
}
