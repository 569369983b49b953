/**
 * What the route tester answers: the path one request takes out of a source workload's
 * sidecar, in Envoy's words (listener, virtual host, route, cluster, endpoint). Plain
 * types only, so the page can import them too.
 */
import type { ConnectionPool, FaultPolicy, HeaderOperations, LoadBalancer, MtlsMode, OutlierDetection, RetryPolicy, RouteMatch, UpstreamTls } from "@skein/shared/browser";

export interface RouteTestRequest {
  /** The workload whose sidecar sends the request. */
  source: { namespace: string; name: string };
  /** The Host header as the app sends it: `reviews`, `reviews:9080`, an FQDN. */
  host: string;
  method: string;
  /** Path with query string. */
  path: string;
  /** Header names in any case; a repeated header is a list. */
  headers: Record<string, string | string[]>;
}

export interface ResourceRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface RouteTestSource {
  workload: string;
  namespace: string;
  serviceAccount: string;
  labels: Record<string, string>;
  spiffeId: string;
  /** The source as AuthorizationPolicy principals name it (`cluster.local/ns/x/sa/y`). */
  principal: string;
}

export interface RouteTestVirtualHost {
  /** The sidecar's outbound listener and the route configuration for the port, as Envoy names them. */
  listener: string;
  routeConfig: string;
  name: string;
  port: number;
  domains: string[];
}

export interface RouteTestRoute {
  name: string;
  /** The VirtualService the route comes from; absent for the catch-all route of a host without one. */
  virtualService?: ResourceRef;
  /** Position of the route in the VirtualService's `http` list. */
  index?: number;
  /** Position of the match entry that hit in the route's `match` list; absent when the route matches everything. */
  matchIndex?: number;
  match?: RouteMatch;
}

export type RouteTestAction =
  | { type: "route" }
  | { type: "redirect"; redirectCode: number; uri?: string; authority?: string; port?: number; scheme?: string }
  | { type: "directResponse"; status: number; body?: string };

/** How the client sidecar talks to an endpoint: Istio's auto mTLS or the DestinationRule's mode. */
export type TransportSecurity = "mutual_tls" | "plaintext" | "tls";

export interface RouteTestEndpoint {
  address: string;
  port: number;
  labels: Record<string, string>;
  workload?: string;
  namespace?: string;
  serviceAccount?: string;
  sidecar: boolean;
  security: TransportSecurity;
}

export interface RouteTestDestination {
  cluster: string;
  host: string;
  port: number;
  subset?: string;
  weight: number;
  /** The share of requests that go here, 0..1 (Istio: weight over the sum of weights). */
  chance: number;
  destinationRule?: ResourceRef;
  lb: LoadBalancer;
  connectionPool: ConnectionPool;
  outlierDetection?: OutlierDetection;
  tls: UpstreamTls;
  endpoints: RouteTestEndpoint[];
  headers?: HeaderOperations;
}

export interface EndpointAuthorization {
  workload: string;
  namespace: string;
  /** The destination's PeerAuthentication mode in force on the port. */
  mtlsMode: MtlsMode;
  security: TransportSecurity;
  /** The inbound listener refuses the connection before any policy (plaintext under STRICT, TLS under DISABLE). */
  connectionRefused: boolean;
  allowed: boolean;
  reason: string;
  /** AuthorizationPolicies that apply to the workload, `namespace/name`, with their action. */
  policies: { name: string; action: "CUSTOM" | "DENY" | "ALLOW" | "AUDIT"; dryRun: boolean }[];
  shadow: { policy: string; wouldAllow: boolean }[];
}

export interface RouteTestAuthorization {
  /** Every destination workload that may get the request lets it in. */
  allowed: boolean;
  summary: string;
  endpoints: EndpointAuthorization[];
}

/** The request as the destination sees it, after rewrites and header operations. */
export interface ForwardedRequest {
  authority: string;
  path: string;
  headers: Record<string, string | string[]>;
}

export interface RouteTestMatched {
  matched: true;
  source: RouteTestSource;
  /** The request as the app sent it (method upper-cased, path with a leading slash). */
  request: { authority: string; method: string; path: string };
  virtualHost: RouteTestVirtualHost;
  route: RouteTestRoute;
  action: RouteTestAction;
  destinations: RouteTestDestination[];
  /** Istio's default policy applies when the route sets no `retries`. */
  retry: RetryPolicy & { istioDefault: boolean };
  /** Overall timeout; absent means none (Istio's default). */
  timeoutMs?: number;
  fault?: FaultPolicy;
  mirrors: { cluster: string; percentage: number }[];
  forwarded: ForwardedRequest;
  authorization?: RouteTestAuthorization;
  /** The Istio resources that shaped this answer. */
  config: ResourceRef[];
}

export interface RouteTestNoRoute {
  matched: false;
  source: RouteTestSource;
  virtualHost?: RouteTestVirtualHost;
  /** What Envoy answers: 404 with response flag NR. */
  status: 404;
  flag: "NR";
  reason: string;
  /** The hosts the source's sidecar does route, for a hint. */
  knownHosts: string[];
  config: ResourceRef[];
}

export type RouteTestResult = RouteTestMatched | RouteTestNoRoute;
