/**
 * The service graph as the console API returns it and the browser draws it. Plain JSON:
 * no classes, no Maps, no undefined-vs-missing distinctions the wire would lose.
 * Names follow Kiali's graph (graph/types.go, graph/config/cytoscape) where it has one.
 */

/** Kiali's graph types: one node per app, per app version, per workload, or per service. */
export type GraphType = "app" | "versionedApp" | "workload" | "service";
export const GRAPH_TYPES: readonly GraphType[] = ["app", "versionedApp", "workload", "service"];

/** Time windows the console offers (Prometheus range durations). */
export const GRAPH_WINDOWS = ["1m", "5m", "10m", "30m", "1h", "3h", "6h", "12h", "1d"] as const;

export type GraphProtocol = "http" | "grpc" | "tcp";

/**
 * `box` is Kiali's compound parent: an app box holds the versions of one app, a namespace
 * box the nodes of one namespace (only when the graph spans more than one).
 */
export type GraphNodeType = "app" | "workload" | "service" | "unknown" | "box";

/** `idle`: no request traffic in the window (only idle edges, or TCP only). */
export type HealthStatus = "healthy" | "degraded" | "failure" | "idle";

export interface Health {
  status: HealthStatus;
  /** Errors (4xx, 5xx, no response, gRPC status other than OK) as a percentage of requests, 0..100. */
  errorRate: number;
  /** Requests per second the status was judged on. */
  requestRate: number;
}

export interface NodeTraffic {
  /** Requests per second received (HTTP and gRPC). */
  in: number;
  /** Requests per second sent (HTTP and gRPC). */
  out: number;
  /** TCP bytes per second on inbound TCP edges, both directions. */
  tcpIn: number;
  /** TCP bytes per second on outbound TCP edges, both directions. */
  tcpOut: number;
}

export interface GraphNode {
  /** Stable across refreshes: derived from names only (`svc:shop:reviews`, `vapp:shop:reviews-v2`). */
  id: string;
  type: GraphNodeType;
  /** "unknown" for the source outside the mesh; empty for a namespace-less box. */
  namespace: string;
  app?: string;
  version?: string;
  workload?: string;
  service?: string;
  /** Id of the box node this node sits in. */
  parent?: string;
  /** Set on box nodes only. */
  box?: "app" | "namespace";
  /** Sends traffic and receives none (a traffic generator, or traffic from outside the mesh). */
  isRoot?: boolean;
  /** In a namespace that was not requested. */
  isOutside?: boolean;
  /** Judged on the node's inbound requests; a box on the requests crossing into it. */
  health: Health;
  /** For a box, the traffic crossing its border. */
  traffic: NodeTraffic;
  /** Set by the console from the mesh's config and registry (see node-config.ts), not by buildGraph. */
  badges?: GraphBadge[];
}

/**
 * Kiali's node badges: a VirtualService routes the service, a DestinationRule sets a
 * circuit breaker (connection pool or outlier detection), a VirtualService injects faults,
 * a registered workload has no sidecar connected.
 */
export type GraphBadge = "virtualService" | "circuitBreaker" | "faultInjection" | "missingSidecar";
export const GRAPH_BADGES: readonly GraphBadge[] = ["virtualService", "circuitBreaker", "faultInjection", "missingSidecar"];

export interface GraphEdge {
  /** Stable across refreshes: source id, target id and protocol. */
  id: string;
  source: string;
  target: string;
  protocol: GraphProtocol;
  /** Requests per second; for TCP edges, bytes per second sent (Kiali's default TCP rate). */
  rate: number;
  /** Percentage of requests that failed, 0..100; 0 for TCP. */
  errorRate: number;
  /**
   * Requests per second by response: HTTP status classes ("2xx", "5xx"), "-" for no
   * response (Istio's response_code 0), and gRPC status names ("OK", "UNAVAILABLE") for
   * gRPC calls whose HTTP status was not an error. Empty for TCP.
   */
  responseCodes: Record<string, number>;
  /**
   * 95th percentile duration of successful requests, ms. Where the edge gathers several
   * series (an app of several versions, the callers behind a service) it is the largest of
   * their p95s, which bounds the p95 of the whole from above.
   */
  p95Ms?: number;
  /** Share of the traffic whose connection_security_policy was mutual_tls, 0..1. */
  mtls: number;
  /** TCP edges only: bytes per second each way. */
  tcp?: { sentBytes: number; receivedBytes: number };
  health: Health;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphOptions {
  graphType: GraphType;
  /** The namespaces the user picked; nodes elsewhere are marked `isOutside`. */
  namespaces: readonly string[];
  /** Prometheus range duration, e.g. "5m" (see GRAPH_WINDOWS). */
  window: string;
  /** Keep edges that carried no traffic in the window (Kiali's includeIdleEdges; default false). */
  includeIdleEdges?: boolean;
  /**
   * Run the response-time queries (Kiali's responseTime appender, which its UI asks for only
   * when an edge label or find/hide expression needs it: histogram quantiles over every
   * bucket series cost more than all other graph queries together). Default true.
   */
  responseTime?: boolean;
}

/** One sample of a Prometheus instant-vector result (`data.result[i]` of /api/v1/query). */
export interface PromSample {
  metric: Record<string, string>;
  value: readonly [number, string];
}

/** What a query measures, which tells the builder how to read its samples. */
export type GraphMetric = "requests" | "latency" | "tcpSent" | "tcpReceived";

export interface GraphQuery {
  /** Short name for logs and timings, e.g. "requests-source". */
  name: string;
  metric: GraphMetric;
  /** PromQL for /api/v1/query. */
  query: string;
}

/** A query's result, as buildGraph takes it: `{ ...query, result: body.data.result }` works. */
export interface GraphQueryResult {
  metric: GraphMetric;
  result: readonly PromSample[];
}
