import { describe, expect, it } from "vitest";
import type { Resource, Workload } from "@skein/shared/browser";
import { evaluateRouteTest, RouteTestInputError } from "./evaluate";
import type { RouteTestMatched, RouteTestRequest, RouteTestResult } from "./result";
import { istio, shopMesh } from "./shop-fixture.testing";

const ONLY_PRODUCTPAGE = istio(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-callers, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  action: ALLOW
  rules:
  - from: [{source: {principals: ["cluster.local/ns/shop/sa/productpage"]}}]
    to: [{operation: {methods: ["GET"], paths: ["/reviews/*"]}}]
`);

const DENY_V3_ADMIN = istio(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: no-admin, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews, version: v3}}
  action: DENY
  rules:
  - to: [{operation: {paths: ["/admin*"]}}]
`);

const PLAINTEXT_TO_RATINGS = istio(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings, namespace: shop}
spec:
  host: ratings
  trafficPolicy:
    tls: {mode: DISABLE}
    connectionPool: {tcp: {maxConnections: 10}, http: {http1MaxPendingRequests: 5}}
    outlierDetection: {consecutive5xxErrors: 3, interval: 10s, baseEjectionTime: 30s}
  subsets:
  - {name: v1, labels: {version: v1}}
`);

const RATINGS_FAULT_ONLY_V1_PATHS = istio(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings.shop.svc.cluster.local]
  http:
  - name: slow-ratings
    match:
    - headers: {x-canary: {exact: "yes"}}
      sourceLabels: {app: nobody}
    - uri: {prefix: /ratings/}
      method: {exact: GET}
    fault:
      delay: {fixedDelay: 2s, percentage: {value: 50}}
      abort: {httpStatus: 503, percentage: {value: 10}}
    rewrite: {uri: /v1/ratings/}
    route:
    - destination: {host: ratings, subset: v1}
`);

const RATINGS_REWRITE_GUARD = istio(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ratings-v1-paths, namespace: shop}
spec:
  selector: {matchLabels: {app: ratings}}
  rules:
  - to: [{operation: {paths: ["/v1/ratings/*"]}}]
`);

const OTHER_NAMESPACE: Workload = { name: "sleep", namespace: "tools", serviceAccount: "sleep", labels: { app: "sleep" }, address: "127.0.0.1", inboundPort: 15200 };

function req(source: string, host: string, over: Partial<Omit<RouteTestRequest, "source" | "host">> = {}): RouteTestRequest {
  const [namespace, name] = source.split("/") as [string, string];
  return { source: { namespace, name }, host, method: "GET", path: "/reviews/1", headers: {}, ...over };
}

/** The parts of an answer a reader checks first: route, split, timeout, retries, authz. */
function outline(r: RouteTestResult) {
  if (!r.matched) return { matched: false, reason: r.reason };
  return {
    matched: true,
    route: r.route,
    destinations: r.destinations.map((d) => ({ subset: d.subset ?? "", weight: d.weight, chance: d.chance, endpoints: d.endpoints.map((e) => e.workload) })),
    timeoutMs: r.timeoutMs,
    retry: { attempts: r.retry.attempts, perTryTimeoutMs: r.retry.perTryTimeoutMs, retryOn: r.retry.retryOn, istioDefault: r.retry.istioDefault },
    allowed: r.authorization?.allowed,
  };
}

const cases: { name: string; extra?: Resource[]; request: RouteTestRequest; expected: Record<string, unknown> }[] = [
  {
    name: "end-user jason goes to reviews v2 by the first route's header match",
    request: req("shop/traffic", "reviews:9080", { headers: { "End-User": "jason" } }),
    expected: {
      matched: true,
      route: { name: "shop/reviews#0", virtualService: { kind: "VirtualService", namespace: "shop", name: "reviews" }, index: 0, matchIndex: 0 },
      destinations: [{ subset: "v2", weight: 100, chance: 1, endpoints: ["reviews-v2"] }],
      retry: { attempts: 2, retryOn: ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"], istioDefault: true },
      allowed: true,
    },
  },
  {
    name: "anyone else is split 80/20 between v1 and v3 with the second route's retries and timeout",
    request: req("shop/productpage-v1", "reviews"),
    expected: {
      route: { name: "shop/reviews#1", index: 1 },
      destinations: [
        { subset: "v1", weight: 80, chance: 0.8, endpoints: ["reviews-v1"] },
        { subset: "v3", weight: 20, chance: 0.2, endpoints: ["reviews-v3"] },
      ],
      timeoutMs: 5000,
      retry: { attempts: 2, perTryTimeoutMs: 2000, retryOn: ["5xx", "connect-failure"], istioDefault: false },
      allowed: true,
    },
  },
  {
    name: "header values match exactly: Jason is not jason",
    request: req("shop/traffic", "reviews.shop.svc.cluster.local:9080", { headers: { "end-user": "Jason" } }),
    expected: { route: { name: "shop/reviews#1", index: 1 } },
  },
  {
    name: "a host without a VirtualService takes the catch-all route to the whole service",
    request: req("shop/productpage-v1", "details.shop:9080", { path: "/details/0" }),
    expected: { route: { name: "default" }, destinations: [{ subset: "", weight: 100, chance: 1, endpoints: ["details-v1"] }], timeoutMs: undefined, retry: { istioDefault: true }, allowed: true },
  },
  {
    name: "a host the sidecar does not know is 404 NR",
    request: req("shop/traffic", "nowhere:80"),
    expected: { matched: false, reason: 'the outbound listener of shop/traffic has no virtual host for Host "nowhere:80"' },
  },
  {
    name: "a short name resolves only in the caller's own namespace",
    request: req("tools/sleep", "reviews:9080"),
    expected: { matched: false },
  },
  {
    name: "from another namespace the namespace-qualified name routes",
    request: req("tools/sleep", "reviews.shop:9080"),
    expected: { matched: true, route: { name: "shop/reviews#1" } },
  },
  {
    name: "an ALLOW policy for productpage only denies the traffic workload",
    extra: ONLY_PRODUCTPAGE,
    request: req("shop/traffic", "reviews:9080"),
    expected: { allowed: false },
  },
  {
    name: "the same ALLOW policy lets productpage GET /reviews/*",
    extra: ONLY_PRODUCTPAGE,
    request: req("shop/productpage-v1", "reviews:9080"),
    expected: { allowed: true },
  },
  {
    name: "the ALLOW policy's methods keep productpage from POSTing",
    extra: ONLY_PRODUCTPAGE,
    request: req("shop/productpage-v1", "reviews:9080", { method: "post" }),
    expected: { allowed: false },
  },
  {
    name: "a DENY on v3 alone makes the split partly denied",
    extra: DENY_V3_ADMIN,
    request: req("shop/productpage-v1", "reviews:9080", { path: "/admin/stats" }),
    expected: { allowed: false },
  },
  {
    name: "the DENY on v3 does not touch jason's v2 requests",
    extra: DENY_V3_ADMIN,
    request: req("shop/productpage-v1", "reviews:9080", { path: "/admin/stats", headers: { "end-user": "jason" } }),
    expected: { allowed: true },
  },
  {
    name: "plaintext towards a STRICT destination is refused at the connection",
    extra: PLAINTEXT_TO_RATINGS,
    request: req("shop/reviews-v2", "ratings:9080", { path: "/ratings/1" }),
    expected: { route: { name: "default" }, allowed: false },
  },
  {
    name: "a named route's match index counts the written entries, including one that cannot apply to this source",
    extra: RATINGS_FAULT_ONLY_V1_PATHS,
    request: req("shop/reviews-v1", "ratings:9080", { path: "/ratings/7" }),
    expected: { route: { name: "slow-ratings", virtualService: { kind: "VirtualService", namespace: "shop", name: "ratings" }, index: 0, matchIndex: 1 }, destinations: [{ subset: "v1", weight: 100, chance: 1, endpoints: ["ratings-v1"] }] },
  },
  {
    name: "past a VirtualService's last route there is no catch-all: 404 NR",
    extra: RATINGS_FAULT_ONLY_V1_PATHS,
    request: req("shop/reviews-v1", "ratings:9080", { path: "/health" }),
    expected: { matched: false, reason: "no route of VirtualService shop/ratings matched GET /health (its routes have no catch-all)" },
  },
  {
    name: "authorization judges the rewritten path",
    extra: [...RATINGS_FAULT_ONLY_V1_PATHS, ...RATINGS_REWRITE_GUARD],
    request: req("shop/reviews-v1", "ratings:9080", { path: "/ratings/7" }),
    expected: { allowed: true },
  },
];

describe("evaluateRouteTest on the demo shop", () => {
  it.each(cases)("$name", ({ extra, request, expected }) => {
    expect(outline(evaluateRouteTest(shopMesh(extra, [OTHER_NAMESPACE]), request))).toMatchObject(expected);
  });

  it("reports the fault, the rewrite and the forwarded request of the route that hit", () => {
    const r = evaluateRouteTest(shopMesh(RATINGS_FAULT_ONLY_V1_PATHS), req("shop/reviews-v1", "ratings:9080", { path: "/ratings/7?x=1" })) as RouteTestMatched;
    expect(r.fault).toEqual({ delay: { fixedDelayMs: 2000, percentage: 50 }, abort: { httpStatus: 503, percentage: 10 } });
    expect(r.forwarded).toMatchObject({ authority: "ratings:9080", path: "/v1/ratings/7?x=1" });
    expect(r.route.match).toMatchObject({ uri: { prefix: "/ratings/" }, method: { exact: "GET" } });
  });

  it("reports the cluster's endpoints, load balancer, pool and outlier detection from the DestinationRule in force", () => {
    const r = evaluateRouteTest(shopMesh(PLAINTEXT_TO_RATINGS), req("shop/reviews-v1", "ratings", { path: "/ratings/1" })) as RouteTestMatched;
    const [d] = r.destinations;
    expect(d).toMatchObject({
      cluster: "outbound|9080||ratings.shop.svc.cluster.local",
      destinationRule: { kind: "DestinationRule", namespace: "shop", name: "ratings" },
      tls: { mode: "DISABLE" },
      connectionPool: { maxConnections: 10, http1MaxPendingRequests: 5 },
      outlierDetection: { consecutive5xxErrors: 3, intervalMs: 10_000, baseEjectionTimeMs: 30_000 },
      endpoints: [{ address: "127.0.0.1", port: 15121, workload: "ratings-v1", labels: { app: "ratings", version: "v1" }, security: "plaintext" }],
    });
    expect(r.authorization?.endpoints[0]).toMatchObject({ workload: "ratings-v1", mtlsMode: "STRICT", connectionRefused: true, allowed: false });
    expect(r.config).toEqual([{ kind: "DestinationRule", namespace: "shop", name: "ratings" }]);
  });

  it("names the load balancer of the reviews DestinationRule and the policies that decided", () => {
    const r = evaluateRouteTest(shopMesh(ONLY_PRODUCTPAGE), req("shop/traffic", "reviews")) as RouteTestMatched;
    expect(r.destinations.map((d) => d.lb)).toEqual([{ type: "LEAST_REQUEST" }, { type: "LEAST_REQUEST" }]);
    expect(r.authorization?.endpoints.map((e) => [e.workload, e.allowed, e.reason])).toEqual([
      ["reviews-v1", false, "no ALLOW policy matched: the caller sees 403 RBAC: access denied"],
      ["reviews-v3", false, "no ALLOW policy matched: the caller sees 403 RBAC: access denied"],
    ]);
    expect(r.config).toEqual([
      { kind: "VirtualService", namespace: "shop", name: "reviews" },
      { kind: "DestinationRule", namespace: "shop", name: "reviews" },
      { kind: "AuthorizationPolicy", namespace: "shop", name: "reviews-callers" },
    ]);
  });

  it("refuses a source workload that is not registered", () => {
    expect(() => evaluateRouteTest(shopMesh(), req("shop/ghost", "reviews"))).toThrow(RouteTestInputError);
  });
});
