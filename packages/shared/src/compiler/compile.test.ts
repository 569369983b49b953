import { describe, expect, it } from "vitest";
import type { Resource } from "../model/resource.ts";
import type { ServiceEntrySpec } from "../model/service-entry.ts";
import { validateSources } from "../validate/validate.ts";
import { compileSnapshot } from "./compile.ts";
import { registryFromServiceEntries } from "./registry.ts";
import type { WorkloadIdentity } from "./snapshot.ts";

function load(yaml: string): Resource[] {
  const report = validateSources([{ file: "t.yaml", text: yaml }]);
  const errors = report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(JSON.stringify(errors));
  return report.resources.map((l) => l.resource);
}

const REGISTRY = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
  endpoints:
  - {address: 127.0.0.1, ports: {http: 7001}, labels: {app: reviews, version: v1}, serviceAccount: reviews}
  - {address: 127.0.0.1, ports: {http: 7002}, labels: {app: reviews, version: v2}, serviceAccount: reviews}
  - {address: 127.0.0.1, ports: {http: 7003}, labels: {app: reviews, version: v3}, serviceAccount: reviews}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: default}
spec:
  hosts: [db.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
  endpoints:
  - {address: 127.0.0.1, ports: {tcp-pg: 7100}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external, namespace: default}
spec:
  hosts: [api.example.com]
  resolution: STATIC
  ports: [{number: 80, name: http}]
  endpoints: [{address: 127.0.0.2}]
`;

const productpage: WorkloadIdentity = {
  name: "productpage-v1",
  namespace: "default",
  serviceAccount: "productpage",
  labels: { app: "productpage", version: "v1" },
  spiffeId: "spiffe://cluster.local/ns/default/sa/productpage",
  trustDomain: "cluster.local",
};

function compile(config: string, workload = productpage) {
  const resources = load(REGISTRY + "---\n" + config);
  const registry = registryFromServiceEntries(resources.filter((r) => r.kind === "ServiceEntry") as Resource<ServiceEntrySpec>[]);
  return compileSnapshot({ resources, registry, workload });
}

const EMPTY = "apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n";

describe("compileSnapshot outbound", () => {
  it("gives every service port a virtual host reachable by all the names a caller may use", () => {
    const snap = compile(EMPTY);
    const reviews = snap.outbound.virtualHosts.find((v) => v.name === "reviews.default.svc.cluster.local:9080")!;
    expect(reviews.domains).toEqual(expect.arrayContaining(["reviews", "reviews:9080", "reviews.default", "reviews.default.svc.cluster.local:9080"]));
    expect(snap.outbound.virtualHosts.find((v) => v.name === "api.example.com:80")!.domains).toEqual(["api.example.com", "api.example.com:80"]);
  });

  it("routes to the default cluster with Istio's default retry policy when no VirtualService exists", () => {
    const snap = compile(EMPTY);
    const route = snap.outbound.virtualHosts.find((v) => v.port === 9080)!.routes[0]!;
    expect(route.action).toEqual({ type: "route", clusters: [{ cluster: "outbound|9080||reviews.default.svc.cluster.local", weight: 100 }] });
    expect(route.retry).toMatchObject({ attempts: 2, retriableStatusCodes: [503] });
    expect(route.timeoutMs).toBeUndefined();
  });

  it("compiles a weighted split to subset clusters holding only the subset's endpoints", () => {
    const snap = compile(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
  - route:
    - {destination: {host: reviews, subset: v1}, weight: 80}
    - {destination: {host: reviews, subset: v3}, weight: 20}
    timeout: 3s
    retries: {attempts: 3, perTryTimeout: 1s, retryOn: "5xx,409"}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    outlierDetection: {consecutive5xxErrors: 2, interval: 1s, baseEjectionTime: 5s}
  subsets:
  - {name: v1, labels: {version: v1}}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer: {consistentHash: {httpHeaderName: x-user}}
  - {name: v3, labels: {version: v3}}
`);
    const vh = snap.outbound.virtualHosts.find((v) => v.port === 9080)!;
    expect(vh.routes.map((r) => r.name)).toEqual(["default/reviews#0", "default/reviews#1"]);
    expect(vh.routes[0]!.match[0]!.headers).toEqual([{ name: "end-user", match: { exact: "jason" } }]);
    expect(vh.routes[1]!.action).toEqual({
      type: "route",
      clusters: [
        { cluster: "outbound|9080|v1|reviews.default.svc.cluster.local", weight: 80 },
        { cluster: "outbound|9080|v3|reviews.default.svc.cluster.local", weight: 20 },
      ],
    });
    expect(vh.routes[1]).toMatchObject({ timeoutMs: 3000, retry: { attempts: 3, perTryTimeoutMs: 1000, retryOn: ["5xx", "retriable-status-codes"], retriableStatusCodes: [409] } });
    const v1 = snap.clusters["outbound|9080|v1|reviews.default.svc.cluster.local"]!;
    expect(v1.endpoints.map((e) => e.port)).toEqual([7001]);
    expect(v1.lb).toEqual({ type: "ROUND_ROBIN" });
    expect(v1.outlierDetection).toMatchObject({ consecutive5xxErrors: 2, intervalMs: 1000, baseEjectionTimeMs: 5000, maxEjectionPercent: 10 });
    expect(v1.tls).toEqual({ mode: "ISTIO_MUTUAL", auto: true, expectedSpiffeIds: ["spiffe://cluster.local/ns/default/sa/reviews"] });
    expect(snap.clusters["outbound|9080|v2|reviews.default.svc.cluster.local"]!.lb).toMatchObject({ type: "CONSISTENT_HASH", hashOn: { header: "x-user" } });
    // The default cluster keeps every endpoint and Istio's LEAST_REQUEST default... overridden here by the rule's top level.
    expect(snap.clusters["outbound|9080||reviews.default.svc.cluster.local"]!.endpoints).toHaveLength(3);
  });

  it("drops match entries for other source workloads at compile time", () => {
    const config = `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{sourceLabels: {app: ratings}}]
    route: [{destination: {host: reviews, subset: v3}}]
  - route: [{destination: {host: reviews, subset: v1}}]
`;
    expect(compile(config).outbound.virtualHosts.find((v) => v.port === 9080)!.routes.map((r) => r.name)).toEqual(["default/reviews#1"]);
    const ratings = { ...productpage, name: "ratings-v1", labels: { app: "ratings" } };
    expect(compile(config, ratings).outbound.virtualHosts.find((v) => v.port === 9080)!.routes.map((r) => r.name)).toEqual(["default/reviews#0", "default/reviews#1"]);
  });

  it("gives a subset the DestinationRule does not define a cluster with no endpoints", () => {
    const snap = compile(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v9}}]}]
`);
    expect(snap.clusters["outbound|9080|v9|reviews.default.svc.cluster.local"]!.endpoints).toEqual([]);
  });

  it("routes TCP ports by TCP route and never gives external services auto mTLS", () => {
    const snap = compile(EMPTY);
    expect(snap.outbound.virtualHosts.find((v) => v.port === 5432)!.tcp).toEqual([{ clusters: [{ cluster: "outbound|5432||db.default.svc.cluster.local", weight: 100 }] }]);
    expect(snap.clusters["outbound|80||api.example.com"]!.endpoints[0]!.sidecar).toBe(false);
  });

  it("applies a DestinationRule's explicit TLS mode and connection pool", () => {
    const snap = compile(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews.default.svc.cluster.local
  trafficPolicy:
    tls: {mode: DISABLE}
    connectionPool:
      tcp: {maxConnections: 1, connectTimeout: 250ms}
      http: {http1MaxPendingRequests: 1, maxRetries: 2}
`);
    const c = snap.clusters["outbound|9080||reviews.default.svc.cluster.local"]!;
    expect(c.tls).toMatchObject({ mode: "DISABLE", auto: false });
    expect(c.connectionPool).toMatchObject({ maxConnections: 1, connectTimeoutMs: 250, http1MaxPendingRequests: 1, maxRetries: 2 });
  });

  it("changes the version when, and only when, the content changes", () => {
    expect(compile(EMPTY).version).toBe(compile(EMPTY).version);
    expect(compile(EMPTY).version).not.toBe(compile(EMPTY, { ...productpage, labels: { app: "x" } }).version);
  });
});

describe("compileSnapshot inbound", () => {
  const reviewsV1: WorkloadIdentity = { ...productpage, name: "reviews-v1", serviceAccount: "reviews", labels: { app: "reviews", version: "v1" }, spiffeId: "spiffe://cluster.local/ns/default/sa/reviews" };

  it.each([
    { name: "PERMISSIVE by default", config: EMPTY, mode: "PERMISSIVE" },
    { name: "the mesh-wide mode from the root namespace", config: "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n", mode: "STRICT" },
    {
      name: "the namespace mode over the mesh mode",
      config: "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: default}\nspec: {mtls: {mode: DISABLE}}\n",
      mode: "DISABLE",
    },
    {
      name: "the workload mode over the namespace mode, UNSET inheriting",
      config: "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: ns, namespace: default}\nspec: {mtls: {mode: STRICT}}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: wl, namespace: default}\nspec: {selector: {matchLabels: {app: reviews}}, mtls: {mode: UNSET}, portLevelMtls: {'7001': {mode: DISABLE}}}\n",
      mode: "STRICT",
      portLevel: { 7001: "DISABLE" },
    },
  ])("takes $name", ({ config, mode, portLevel }) => {
    const snap = compile(config, reviewsV1);
    expect(snap.inbound.mtls).toEqual({ mode, portLevel: portLevel ?? {} });
  });

  it("collects the authorization policies that select the workload, by action, with dry-run", () => {
    const snap = compile(
      `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-delete, namespace: istio-system}
spec: {action: DENY, rules: [{to: [{operation: {methods: [DELETE]}}]}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-viewer, namespace: default}
spec:
  selector: {matchLabels: {app: reviews}}
  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/productpage]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ratings-only, namespace: default, annotations: {istio.io/dry-run: "true"}}
spec:
  selector: {matchLabels: {app: ratings}}
  rules: [{}]
`,
      reviewsV1,
    );
    expect(snap.inbound.authorization.deny.map((p) => p.name)).toEqual(["istio-system/deny-delete"]);
    expect(snap.inbound.authorization.allow.map((p) => [p.name, p.dryRun])).toEqual([["default/reviews-viewer", false]]);
  });
});
