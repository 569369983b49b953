import { describe, expect, it } from "vitest";
import { appliedConfig, badgeIndex, nodeBadges, nodeRef, nodeScope, type ConfigResource, type RegistryWorkload } from "./node-config.ts";
import type { GraphNode } from "./types.ts";

const workload = (name: string, app: string, version: string, service?: string): RegistryWorkload => ({
  name,
  namespace: "shop",
  labels: { app, version },
  ...(service ? { service: { name: service } } : {}),
});

const WORKLOADS: RegistryWorkload[] = [
  workload("productpage-v1", "productpage", "v1", "productpage"),
  workload("reviews-v1", "reviews", "v1", "reviews"),
  workload("reviews-v2", "reviews", "v2", "reviews"),
  workload("reviews-v3", "reviews", "v3", "reviews"),
  workload("traffic", "traffic", "v1"),
  { name: "reviews-v1", namespace: "other", labels: { app: "reviews", version: "v1" }, service: { name: "reviews" } },
];

const res = (kind: string, name: string, spec: unknown, namespace = "shop"): ConfigResource => ({ kind, metadata: { name, namespace }, spec });

const reviewsVs = res("VirtualService", "reviews", { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v1" } }] }] });
const reviewsDr = res("DestinationRule", "reviews", {
  host: "reviews.shop.svc.cluster.local",
  subsets: [
    { name: "v1", labels: { version: "v1" } },
    { name: "v2", labels: { version: "v2" }, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3 } } },
  ],
});
const ratingsFault = res("VirtualService", "ratings", { hosts: ["ratings.shop"], http: [{ fault: { abort: { httpStatus: 503, percentage: { value: 10 } } }, route: [{ destination: { host: "ratings" } }] }] });
const wildcardVs = res("VirtualService", "everything", { hosts: ["*.shop.svc.cluster.local"] }, "shop");
const meshStrict = res("PeerAuthentication", "default", { mtls: { mode: "STRICT" } }, "istio-system");
const reviewsAuthz = res("AuthorizationPolicy", "reviews-viewer", { selector: { matchLabels: { app: "reviews", version: "v2" } }, rules: [{}] });
const otherNsAuthz = res("AuthorizationPolicy", "deny-all", {}, "other");

const node = (partial: Partial<GraphNode> & Pick<GraphNode, "id" | "type">): GraphNode => ({
  namespace: "shop",
  health: { status: "healthy", errorRate: 0, requestRate: 1 },
  traffic: { in: 1, out: 0, tcpIn: 0, tcpOut: 0 },
  ...partial,
});

describe("nodeScope", () => {
  it("takes an app's workloads by label and their services as hosts", () => {
    const scope = nodeScope({ namespace: "shop", app: "reviews" }, WORKLOADS);
    expect(scope.workloads.map((w) => w.name)).toEqual(["reviews-v1", "reviews-v2", "reviews-v3"]);
    expect(scope.hosts).toEqual(["reviews.shop.svc.cluster.local"]);
  });
  it("narrows an app to one version", () => {
    expect(nodeScope({ namespace: "shop", app: "reviews", version: "v2" }, WORKLOADS).workloads.map((w) => w.name)).toEqual(["reviews-v2"]);
  });
  it("prefers a named workload over the app", () => {
    expect(nodeScope({ namespace: "shop", app: "reviews", workload: "reviews-v3" }, WORKLOADS).workloads.map((w) => w.name)).toEqual(["reviews-v3"]);
  });
  it("gives a service node its host and members", () => {
    const scope = nodeScope({ namespace: "shop", service: "reviews" }, WORKLOADS);
    expect(scope.hosts).toEqual(["reviews.shop.svc.cluster.local"]);
    expect(scope.workloads).toHaveLength(3);
  });
  it("finds no host for a workload that serves none", () => {
    expect(nodeScope({ namespace: "shop", workload: "traffic" }, WORKLOADS).hosts).toEqual([]);
  });
});

describe("appliedConfig", () => {
  const all = [reviewsVs, reviewsDr, ratingsFault, wildcardVs, meshStrict, reviewsAuthz, otherNsAuthz];

  it("lists routing by host, then policies by selector, with reasons", () => {
    const scope = nodeScope({ namespace: "shop", app: "reviews", version: "v2" }, WORKLOADS);
    expect(appliedConfig(scope, all)).toEqual([
      { kind: "VirtualService", namespace: "shop", name: "reviews", reason: "host reviews.shop.svc.cluster.local" },
      { kind: "VirtualService", namespace: "shop", name: "everything", reason: "host reviews.shop.svc.cluster.local" },
      { kind: "DestinationRule", namespace: "shop", name: "reviews", reason: "host reviews.shop.svc.cluster.local" },
      { kind: "PeerAuthentication", namespace: "istio-system", name: "default", reason: "namespace-wide in istio-system" },
      { kind: "AuthorizationPolicy", namespace: "shop", name: "reviews-viewer", reason: "selects reviews-v2" },
    ]);
  });

  it("resolves a namespace-qualified short host", () => {
    const scope = nodeScope({ namespace: "shop", service: "ratings" }, WORKLOADS);
    expect(appliedConfig(scope, all).map((c) => c.name)).toContain("ratings");
  });

  it("does not apply a policy of another namespace or a selector that picks other workloads", () => {
    const scope = nodeScope({ namespace: "shop", app: "reviews", version: "v1" }, WORKLOADS);
    const names = appliedConfig(scope, all).map((c) => `${c.kind}/${c.name}`);
    expect(names).not.toContain("AuthorizationPolicy/reviews-viewer");
    expect(names).not.toContain("AuthorizationPolicy/deny-all");
  });

  it("does not match the same short host in another namespace", () => {
    const scope = nodeScope({ namespace: "other", service: "reviews" }, WORKLOADS);
    expect(appliedConfig(scope, [reviewsVs, reviewsDr])).toEqual([]);
  });
});

describe("nodeBadges", () => {
  const connected = new Set(["shop/productpage-v1", "shop/reviews-v1", "shop/reviews-v2", "shop/reviews-v3", "shop/traffic"]);
  const badges = (n: GraphNode, resources: ConfigResource[], proxies: ReadonlySet<string> = connected) => nodeBadges(n, nodeScope(nodeRef(n)!, WORKLOADS), resources, proxies);

  it("marks a routed service with a VirtualService and its subset breaker", () => {
    expect(badges(node({ id: "svc:shop:reviews", type: "service", service: "reviews" }), [reviewsVs, reviewsDr])).toEqual(["virtualService", "circuitBreaker"]);
  });

  it("marks only the version whose subset has the breaker", () => {
    const v2 = node({ id: "vapp:shop:reviews-v2", type: "app", app: "reviews", version: "v2", workload: "reviews-v2" });
    const v1 = node({ id: "vapp:shop:reviews-v1", type: "app", app: "reviews", version: "v1", workload: "reviews-v1" });
    expect(badges(v2, [reviewsVs, reviewsDr])).toEqual(["circuitBreaker"]);
    expect(badges(v1, [reviewsVs, reviewsDr])).toEqual([]);
  });

  it("marks every version when the breaker covers the whole host", () => {
    const whole = res("DestinationRule", "reviews", { host: "reviews", trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } } });
    const v1 = node({ id: "vapp:shop:reviews-v1", type: "app", app: "reviews", version: "v1", workload: "reviews-v1" });
    expect(badges(v1, [whole])).toEqual(["circuitBreaker"]);
  });

  it("does not count a load balancer setting as a circuit breaker", () => {
    const lb = res("DestinationRule", "reviews", { host: "reviews", trafficPolicy: { loadBalancer: { simple: "LEAST_REQUEST" } } });
    expect(badges(node({ id: "svc:shop:reviews", type: "service", service: "reviews" }), [lb])).toEqual([]);
  });

  it("marks fault injection on the service the VirtualService routes", () => {
    expect(badges(node({ id: "svc:shop:ratings", type: "service", service: "ratings" }), [ratingsFault])).toEqual(["virtualService", "faultInjection"]);
  });

  it("marks a workload no connected proxy serves", () => {
    const without = new Set([...connected].filter((k) => k !== "shop/reviews-v3"));
    const app = node({ id: "app:shop:reviews", type: "app", app: "reviews" });
    expect(badges(app, [], without)).toEqual(["missingSidecar"]);
    expect(badges(node({ id: "wl:shop:reviews-v1", type: "workload", workload: "reviews-v1", app: "reviews" }), [], without)).toEqual([]);
  });
});

describe("badgeIndex", () => {
  const connected = new Set(["shop/productpage-v1", "shop/reviews-v1", "shop/reviews-v2", "shop/reviews-v3", "shop/traffic", "other/reviews-v1"]);
  const scopeOf = (n: GraphNode) => nodeScope(nodeRef(n)!, WORKLOADS);
  const reviewsSvc = node({ id: "svc:shop:reviews", type: "service", service: "reviews" });
  const ratingsSvc = node({ id: "svc:shop:ratings", type: "service", service: "ratings" });
  const otherReviewsSvc = node({ id: "svc:other:reviews", type: "service", namespace: "other", service: "reviews" });
  const reviewsV1 = node({ id: "vapp:shop:reviews-v1", type: "app", app: "reviews", version: "v1", workload: "reviews-v1" });
  const reviewsV2 = node({ id: "vapp:shop:reviews-v2", type: "app", app: "reviews", version: "v2", workload: "reviews-v2" });
  const reviewsApp = node({ id: "app:shop:reviews", type: "app", app: "reviews" });
  const otherReviewsV1 = node({ id: "wl:other:reviews-v1", type: "workload", namespace: "other", workload: "reviews-v1", app: "reviews" });
  const NODES = [reviewsSvc, ratingsSvc, otherReviewsSvc, reviewsV1, reviewsV2, reviewsApp, otherReviewsV1];

  // A VirtualService elsewhere that names the host with its namespace.
  const fromOtherNs = res("VirtualService", "reviews-from-edge", { hosts: ["reviews.shop.svc"] }, "edge");
  // "reviews.other" names a Service only because "other" is a namespace: no config lives
  // there, so it is one only for nodes in it (resolveHost's isNamespace).
  const qualifiedByNodeNs = res("VirtualService", "reviews-other", { hosts: ["reviews.other"], http: [{ fault: { delay: { fixedDelay: "1s" } } }] });
  const wholeHostBreaker = res("DestinationRule", "reviews-pool", { host: "reviews", trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, connectionPool: { tcp: { maxConnections: 1 } } }] } });
  const meshWideDr = res("DestinationRule", "mesh", { host: "*.svc.cluster.local", subsets: [{ name: "v1", labels: { version: "v1" }, trafficPolicy: { outlierDetection: {} } }] }, "istio-system");

  it.each([
    { name: "a short host routes the service and its subset breaker marks the service", resources: [reviewsVs, reviewsDr], node: reviewsSvc, want: ["virtualService", "circuitBreaker"] },
    { name: "a subset breaker marks the version it selects", resources: [reviewsVs, reviewsDr], node: reviewsV2, want: ["circuitBreaker"] },
    { name: "a subset breaker leaves other versions alone", resources: [reviewsVs, reviewsDr], node: reviewsV1, want: [] },
    { name: "a subset breaker marks an app with a workload it selects", resources: [reviewsDr], node: reviewsApp, want: ["circuitBreaker"] },
    { name: "a port-level breaker for the whole host marks every version", resources: [wholeHostBreaker], node: reviewsV1, want: ["circuitBreaker"] },
    { name: "a wildcard host routes every service of its namespace", resources: [wildcardVs], node: ratingsSvc, want: ["virtualService"] },
    { name: "a wildcard host stays in its namespace", resources: [wildcardVs], node: otherReviewsSvc, want: [] },
    { name: "a mesh-wide wildcard DestinationRule's subset breaker", resources: [meshWideDr], node: otherReviewsV1, want: ["circuitBreaker"] },
    { name: "a namespace-qualified short host with fault injection", resources: [ratingsFault], node: ratingsSvc, want: ["virtualService", "faultInjection"] },
    { name: "a host named from another namespace", resources: [fromOtherNs], node: reviewsSvc, want: ["virtualService"] },
    { name: "the same short host does not reach another namespace", resources: [reviewsVs, reviewsDr], node: otherReviewsSvc, want: [] },
    { name: "a host qualified by the node's own namespace, which holds no config", resources: [qualifiedByNodeNs], node: otherReviewsSvc, want: ["virtualService", "faultInjection"] },
    { name: "a host qualified by a namespace that is neither", resources: [qualifiedByNodeNs], node: reviewsSvc, want: [] },
    { name: "a missing sidecar on a workload", resources: [], node: otherReviewsV1, proxies: new Set<string>(), want: ["missingSidecar"] },
    { name: "no missing sidecar on a service", resources: [], node: reviewsSvc, proxies: new Set<string>(), want: [] },
    { name: "no config at all", resources: [], node: reviewsApp, want: [] },
  ])("$name, as nodeBadges", ({ resources, node: n, proxies = connected, want }) => {
    expect(badgeIndex(resources, proxies).badges(n, scopeOf(n))).toEqual(want);
    expect(nodeBadges(n, scopeOf(n), resources, proxies)).toEqual(want);
  });

  it("answers every node of a graph as nodeBadges does, whichever namespace asks first", () => {
    // Nothing in namespace "other": "reviews.other" resolves differently for its nodes.
    const all = [reviewsVs, reviewsDr, ratingsFault, wildcardVs, fromOtherNs, qualifiedByNodeNs, wholeHostBreaker, meshWideDr, meshStrict, reviewsAuthz];
    const fewerProxies = new Set([...connected].filter((k) => k !== "shop/reviews-v3"));
    for (const order of [NODES, [...NODES].reverse()]) {
      const index = badgeIndex(all, fewerProxies);
      const got = order.map((n) => index.badges(n, scopeOf(n)));
      expect(got).toEqual(order.map((n) => nodeBadges(n, scopeOf(n), all, fewerProxies)));
    }
    const index = badgeIndex(all, fewerProxies);
    expect(Object.fromEntries(NODES.map((n) => [n.id, index.badges(n, scopeOf(n))]))).toEqual({
      "svc:shop:reviews": ["virtualService", "circuitBreaker"],
      "svc:shop:ratings": ["virtualService", "circuitBreaker", "faultInjection"],
      "svc:other:reviews": ["virtualService", "circuitBreaker", "faultInjection"],
      "vapp:shop:reviews-v1": ["circuitBreaker"],
      "vapp:shop:reviews-v2": ["circuitBreaker"],
      "app:shop:reviews": ["circuitBreaker", "missingSidecar"],
      "wl:other:reviews-v1": ["circuitBreaker"],
    });
  });
});
