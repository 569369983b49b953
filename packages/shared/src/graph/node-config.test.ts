import { describe, expect, it } from "vitest";
import { appliedConfig, nodeBadges, nodeRef, nodeScope, type ConfigResource, type RegistryWorkload } from "./node-config.ts";
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
