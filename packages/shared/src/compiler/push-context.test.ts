import { describe, expect, it } from "vitest";
import { compileSnapshot } from "./compile.ts";
import { CompileCache } from "./compile-cache.ts";
import { load, service, workload } from "./compiler-fixtures.testing.ts";
import { proxyConfigBody, serializeProxyConfig } from "./proxy-config.ts";
import { PushContext } from "./push-context.ts";

const registry = { services: [service("reviews", "default"), service("ratings", "default"), service("details", "shop")] };

const rule = (name: string, namespace: string, host: string, extra = "") => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  host: ${host}${extra}
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
`;
const split = (name: string, namespace: string, host: string, v2: number, match = "") => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  hosts: [${host}]
  http:${match}
  - route: [{destination: {host: ${host}, subset: v1}, weight: ${100 - v2}}, {destination: {host: ${host}, subset: v2}, weight: ${v2}}]
`;

const callers = [
  workload("productpage-v1", "default", { app: "productpage", version: "v1", "pod-template-hash": "a1" }),
  workload("productpage-v2", "default", { app: "productpage", version: "v2", "pod-template-hash": "b2" }),
  workload("reviews-v1", "default", { app: "reviews", version: "v1" }),
  workload("details-v1", "shop", { app: "details", version: "v1" }),
  workload("tester", "lonely", { app: "tester" }),
];

/** Configs a control plane might hold one after the other; each builds on the last. */
const HISTORY = [
  [rule("reviews", "default", "reviews"), split("reviews", "default", "reviews", 0)],
  [rule("reviews", "default", "reviews", "\n  trafficPolicy: {loadBalancer: {simple: RANDOM}}"), split("reviews", "default", "reviews", 30)],
  [rule("reviews", "default", "reviews"), split("reviews", "default", "reviews", 30), rule("reviews-from-pp", "default", "reviews.default.svc.cluster.local", "\n  workloadSelector: {matchLabels: {app: productpage}}\n  trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: 7}}}")],
  [
    rule("reviews", "default", "reviews"),
    split("reviews", "default", "reviews", 50, "\n  - match: [{sourceLabels: {version: v2}}]\n    route: [{destination: {host: reviews, subset: v2}}]"),
    rule("all", "istio-system", '"*.svc.cluster.local"', "\n  trafficPolicy: {tls: {mode: DISABLE}}"),
  ],
  [split("details", "shop", "details", 10), split("to-lonely", "default", "ratings", 0).replace("destination: {host: ratings, subset: v1}", "destination: {host: ratings.lonely}")],
];

describe("PushContext", () => {
  it("compiles every sidecar as a fresh compile would, with its cache carried across a history of changes", () => {
    const cache = new CompileCache();
    for (const [i, docs] of HISTORY.entries()) {
      const resources = load([...docs].join("---\n"));
      const ctx = new PushContext({ resources, registry }, cache);
      for (const w of callers) {
        const fresh = compileSnapshot({ resources, registry, workload: w });
        const { version: _version, ...expected } = fresh;
        expect(proxyConfigBody(ctx.compile(w)), `config #${i}, ${w.name}`).toEqual(expected);
      }
      cache.sweep();
    }
  });

  it("groups workloads by what selectors read: labels no selector reads do not split them", () => {
    const resources = load([rule("reviews", "default", "reviews"), split("reviews", "default", "reviews", 20)].join("---\n"));
    const ctx = new PushContext({ resources, registry });
    // The services' selectors read `app`; nothing reads `version` or the pod hash.
    expect(ctx.selectorKeys).toEqual(["app"]);
    const [pp1, pp2, reviews, details] = callers.map((w) => ctx.proxyKey(w));
    expect(pp1).toBe(pp2);
    expect(new Set([pp1, reviews, details]).size).toBe(3);
    const a = ctx.compile(callers[0]!);
    const b = ctx.compile(callers[1]!);
    expect(serializeProxyConfig(a)).toBe(serializeProxyConfig(b));
  });

  it("splits workloads by a label once a selector reads it", () => {
    const resources = load([split("reviews", "default", "reviews", 50, "\n  - match: [{sourceLabels: {version: v2}}]\n    route: [{destination: {host: reviews, subset: v2}}]")].join("---\n"));
    const ctx = new PushContext({ resources, registry });
    expect(ctx.selectorKeys).toEqual(["app", "version"]);
    expect(ctx.proxyKey(callers[0]!)).not.toBe(ctx.proxyKey(callers[1]!));
    const v2Routes = ctx.compile(callers[1]!).virtualHosts.find((f) => f.name.startsWith("reviews."))!.value.routes;
    const v1Routes = ctx.compile(callers[0]!).virtualHosts.find((f) => f.name.startsWith("reviews."))!.value.routes;
    expect([v1Routes.length, v2Routes.length]).toEqual([1, 2]);
  });

  it("reuses the fragments a change leaves alone and rebuilds the changed service's clusters", () => {
    const cache = new CompileCache();
    const before = load([rule("reviews", "default", "reviews"), rule("ratings", "default", "ratings")].join("---\n"));
    const a = new PushContext({ resources: before, registry }, cache).compile(callers[0]!);
    // The config store keeps unchanged resources as they were and replaces the changed one.
    const after = before.map((r) => (r.kind === "DestinationRule" && r.metadata.name === "ratings" ? load(rule("ratings", "default", "ratings", "\n  trafficPolicy: {loadBalancer: {simple: RANDOM}}"))[0]! : r));
    const b = new PushContext({ resources: after, registry }, cache).compile(callers[0]!);
    const reused = (name: string) => {
      const [was, is] = [a, b].map((c) => c.clusters.find((f) => f.name === name));
      if (!was || !is) throw new Error(`no cluster ${name}`);
      return was === is;
    };
    expect(b.virtualHosts.every((f, i) => f === a.virtualHosts[i])).toBe(true);
    expect(reused("outbound|9080||reviews.default.svc.cluster.local")).toBe(true);
    expect(reused("outbound|9080||details.shop.svc.cluster.local")).toBe(true);
    expect(reused("outbound|9080||ratings.default.svc.cluster.local")).toBe(false);
    expect(b.clusters.find((f) => f.name === "outbound|9080||ratings.default.svc.cluster.local")!.value.lb).toEqual({ type: "RANDOM" });
  });

  it("resolves `name.namespace` hosts against the caller's own namespace even when nothing else lives there", () => {
    const resources = load([split("to-lonely", "default", "ratings", 0).replace("destination: {host: ratings, subset: v1}", "destination: {host: ratings.lonely}")].join("---\n"));
    const ctx = new PushContext({ resources, registry });
    const clusterNames = (w: (typeof callers)[number]) => ctx.compile(w).clusters.map((f) => f.name);
    expect(clusterNames(callers[4]!)).toContain("outbound|9080||ratings.lonely.svc.cluster.local");
    expect(clusterNames(callers[0]!)).toContain("outbound|9080||ratings.lonely");
  });

  it("serialises a config byte for byte as JSON.stringify does", () => {
    const resources = load([...HISTORY[3]!].join("---\n"));
    const config = new PushContext({ resources, registry }).compile(callers[1]!);
    const { workload: _w, ...rest } = proxyConfigBody(config);
    expect(serializeProxyConfig(config)).toBe(JSON.stringify(rest));
  });
});
