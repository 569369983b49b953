import type { AuthorizationRule } from "../model/authorization-rule.ts";

/**
 * The proxy snapshot: everything one sidecar needs, compiled from Istio resources and the
 * service registry. It is plain JSON so the control plane can push it and the sidecar can
 * cache it on disk. Names follow Envoy: listeners accept, routes pick a cluster, clusters
 * hold endpoints and upstream policy.
 */

export interface WorkloadIdentity {
  name: string;
  namespace: string;
  serviceAccount: string;
  labels: Record<string, string>;
  /** SPIFFE ID, `spiffe://<trust-domain>/ns/<ns>/sa/<sa>`. */
  spiffeId: string;
  trustDomain: string;
}

export interface ProxySnapshot {
  /** Opaque, changes whenever the content changes; ACK/NACK refer to it. */
  version: string;
  workload: WorkloadIdentity;
  outbound: OutboundListener;
  inbound: InboundListener;
  /** Keyed by cluster name, Istio style: `outbound|9080|v1|reviews.default.svc.cluster.local`. */
  clusters: Record<string, Cluster>;
}

// ---- outbound ------------------------------------------------------------------

export interface OutboundListener {
  /** One per (service host, port); matched by Host/:authority. */
  virtualHosts: VirtualHost[];
}

export interface VirtualHost {
  name: string;
  /** Every spelling a caller may use: `reviews`, `reviews:9080`, `reviews.default`, FQDN, with and without port. */
  domains: string[];
  port: number;
  routes: Route[];
  /** TCP services (no HTTP routing): the cluster to pass bytes to. */
  tcp?: TcpRoute[];
}

export interface TcpRoute {
  match?: { port?: number; sourceLabels?: Record<string, string> }[];
  clusters: WeightedCluster[];
}

export type StringMatch = { exact: string } | { prefix: string } | { regex: string };

export interface HeaderMatch {
  name: string;
  /** Absent: the header must be present (or absent with `invert`). */
  match?: StringMatch;
  present?: boolean;
  invert?: boolean;
}

export interface RouteMatch {
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers: HeaderMatch[];
  queryParams: { name: string; match?: StringMatch }[];
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  ignoreUriCase: boolean;
}

export interface WeightedCluster {
  cluster: string;
  weight: number;
  headers?: HeaderOperations;
}

export interface HeaderOperations {
  request?: { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] };
  response?: { set?: Record<string, string>; add?: Record<string, string>; remove?: string[] };
}

export interface RetryPolicy {
  /** Retries after the first try; 0 disables. */
  attempts: number;
  perTryTimeoutMs?: number;
  /** Envoy retry-on conditions (`5xx`, `gateway-error`, `reset`, `connect-failure`, `retriable-4xx`, `refused-stream`, `retriable-status-codes`, gRPC ones ...). */
  retryOn: string[];
  /** Numeric codes from retryOn (they imply `retriable-status-codes`). */
  retriableStatusCodes: number[];
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface FaultPolicy {
  delay?: { fixedDelayMs: number; percentage: number };
  abort?: { httpStatus?: number; grpcStatus?: string; percentage: number };
}

export interface Route {
  name: string;
  /** Empty list: matches everything. Any entry matching is enough (OR); fields within an entry AND. */
  match: RouteMatch[];
  action:
    | { type: "route"; clusters: WeightedCluster[] }
    | { type: "redirect"; uri?: string; authority?: string; port?: number; scheme?: string; redirectCode: number }
    | { type: "directResponse"; status: number; body?: string };
  rewrite?: { uri?: string; authority?: string; uriRegex?: { match: string; rewrite: string } };
  /** Overall timeout covering all retries; undefined = none (Istio's default). */
  timeoutMs?: number;
  retry: RetryPolicy;
  fault?: FaultPolicy;
  mirrors: { cluster: string; percentage: number }[];
  headers?: HeaderOperations;
  cors?: Record<string, unknown>;
}

// ---- clusters ------------------------------------------------------------------

export type LoadBalancer =
  | { type: "ROUND_ROBIN" }
  | { type: "LEAST_REQUEST" }
  | { type: "RANDOM" }
  | { type: "PASSTHROUGH" }
  | {
      type: "CONSISTENT_HASH";
      hashOn: { header: string } | { cookie: { name: string; path?: string; ttlMs?: number } } | { sourceIp: true } | { queryParameter: string };
      /** ring hash size, or maglev table size */
      ringSize: number;
      algorithm: "RING_HASH" | "MAGLEV";
    };

export interface ConnectionPool {
  maxConnections: number;
  connectTimeoutMs: number;
  http1MaxPendingRequests: number;
  http2MaxRequests: number;
  maxRequestsPerConnection: number;
  maxRetries: number;
  idleTimeoutMs?: number;
}

export interface OutlierDetection {
  consecutive5xxErrors: number;
  consecutiveGatewayErrors: number;
  intervalMs: number;
  baseEjectionTimeMs: number;
  maxEjectionPercent: number;
  minHealthPercent: number;
}

export interface UpstreamTls {
  mode: "DISABLE" | "ISTIO_MUTUAL" | "SIMPLE" | "MUTUAL";
  /**
   * Istio's auto mTLS: no DestinationRule set a mode, so ISTIO_MUTUAL is used towards
   * endpoints that have a sidecar and plaintext towards the others.
   */
  auto: boolean;
  /** SPIFFE IDs the server may present (its service accounts). */
  expectedSpiffeIds: string[];
  sni?: string;
}

export interface Endpoint {
  address: string;
  port: number;
  /** A Skein sidecar fronts it (auto mTLS applies). */
  sidecar: boolean;
  labels: Record<string, string>;
  /** The workload behind it, when known (for metrics' destination labels). */
  workload?: string;
  namespace?: string;
  serviceAccount?: string;
  weight: number;
}

export interface Cluster {
  name: string;
  /** Service FQDN. */
  host: string;
  port: number;
  subset?: string;
  protocol: "http" | "http2" | "grpc" | "tcp";
  lb: LoadBalancer;
  connectionPool: ConnectionPool;
  outlierDetection?: OutlierDetection;
  tls: UpstreamTls;
  endpoints: Endpoint[];
  /** For metrics: destination_service_name / namespace. */
  service: { name: string; namespace: string };
}

// ---- inbound -------------------------------------------------------------------

export type MtlsMode = "STRICT" | "PERMISSIVE" | "DISABLE";

export interface InboundListener {
  mtls: { mode: MtlsMode; portLevel: Record<number, MtlsMode> };
  authorization: CompiledAuthorization;
  /** Ports the app serves (service port -> app port). */
  ports: { port: number; protocol: Cluster["protocol"]; targetPort: number }[];
}

export interface CompiledAuthorization {
  /** Policies grouped in Istio's evaluation order: CUSTOM, then DENY, then ALLOW (AUDIT only logs). */
  custom: CompiledPolicy[];
  deny: CompiledPolicy[];
  allow: CompiledPolicy[];
  audit: CompiledPolicy[];
}

export interface CompiledPolicy {
  /** `namespace/name`, for logs and the route tester. */
  name: string;
  dryRun: boolean;
  provider?: string;
  /** Istio AuthorizationPolicy rules as written (from/to/when), evaluated by the shared authz engine. */
  rules: AuthorizationRule[];
}
