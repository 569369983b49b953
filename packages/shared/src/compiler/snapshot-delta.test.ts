import { describe, expect, it } from "vitest";
import { CompileCache, Fragment } from "./compile-cache.ts";
import { load, service, workload } from "./compiler-fixtures.testing.ts";
import { proxyConfigBody, type ProxyConfig } from "./proxy-config.ts";
import { PushContext } from "./push-context.ts";
import type { ServiceRegistry } from "./registry.ts";
import { applySnapshotDelta, serializeSnapshotDelta, type SnapshotDelta } from "./snapshot-delta.ts";
import type { ProxySnapshot } from "./snapshot.ts";

const caller = workload("productpage-v1", "default", { app: "productpage", version: "v1" });
const three: ServiceRegistry = { services: [service("details", "default"), service("ratings", "default"), service("reviews", "default")] };
const canary = (v2: number) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: v1}, weight: ${100 - v2}}, {destination: {host: reviews, subset: v2}, weight: ${v2}}]
`;
const pool = (pending: number) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: ${pending}}}}
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
`;
const strict = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: default}
spec: {mtls: {mode: STRICT}}
`;

function compiler() {
  const cache = new CompileCache();
  return (registry: ServiceRegistry, ...docs: string[]) => new PushContext({ resources: load(docs.join("---\n")), registry }, cache).compile(caller);
}

const snapshotOf = (c: ProxyConfig, version: string): ProxySnapshot => ({ version, ...proxyConfigBody(c) });
const deltaOf = (from: ProxyConfig, to: ProxyConfig) => JSON.parse(serializeSnapshotDelta(from, to)!) as SnapshotDelta;

describe("snapshot deltas", () => {
  const compile = compiler();
  const before = compile(three, canary(0), pool(100));
  const cases: [string, ProxyConfig, (d: SnapshotDelta) => void][] = [
    ["a canary weight shift sends one virtual host", compile(three, canary(30), pool(100)), (d) => expect([d.virtualHosts.length, Object.keys(d.clusters).length]).toEqual([1, 0])],
    ["a connection-pool change sends the service's clusters only", compile(three, canary(0), pool(7)), (d) => expect(Object.keys(d.clusters).sort()).toEqual(["outbound|9080|v1|reviews.default.svc.cluster.local", "outbound|9080|v2|reviews.default.svc.cluster.local", "outbound|9080||reviews.default.svc.cluster.local"].sort())],
    ["a new service adds its virtual host, in order, and its cluster", compile({ services: [service("alpha", "default"), ...three.services] }, canary(0), pool(100)), (d) => expect(d.virtualHostNames?.[0]).toBe("alpha.default.svc.cluster.local:9080")],
    ["a service that went removes its virtual host and cluster", compile({ services: three.services.slice(1) }, canary(0), pool(100)), (d) => expect(d.removedClusters).toEqual(["outbound|9080||details.default.svc.cluster.local"])],
    ["dropping the VirtualService removes its subset clusters", compile(three, pool(100)), (d) => expect(d.removedClusters).toHaveLength(2)],
    ["a PeerAuthentication changes the inbound listener only", compile(three, canary(0), pool(100), strict), (d) => expect([d.inbound?.mtls.mode, d.virtualHosts.length]).toEqual(["STRICT", 0])],
    ["no change is an empty delta", compile(three, canary(0), pool(100)), (d) => expect(d).toEqual({ virtualHosts: [], clusters: {}, removedClusters: [] })],
  ];
  it.each(cases)("%s, and applying it gives the new snapshot", (_name, after, check) => {
    const delta = deltaOf(before, after);
    check(delta);
    expect(applySnapshotDelta(snapshotOf(before, "old"), "new", delta)).toEqual(snapshotOf(after, "new"));
    expect(JSON.stringify(applySnapshotDelta(snapshotOf(before, "old"), "new", delta))).toBe(JSON.stringify(snapshotOf(after, "new")));
  });

  it("keeps the base's objects for what did not change", () => {
    const base = snapshotOf(before, "old");
    const next = applySnapshotDelta(base, "new", deltaOf(before, compile(three, canary(30), pool(100))));
    expect(next.clusters["outbound|9080||details.default.svc.cluster.local"]).toBe(base.clusters["outbound|9080||details.default.svc.cluster.local"]);
    expect(next.outbound.virtualHosts[0]).toBe(base.outbound.virtualHosts[0]);
    expect(next.workload).toBe(base.workload);
  });

  it("refuses a delta that does not fit the base", () => {
    const base = snapshotOf(compile({ services: three.services.slice(1) }, canary(0)), "other");
    const removesDetails = deltaOf(before, compile({ services: three.services.slice(1) }, canary(0), pool(100)));
    expect(() => applySnapshotDelta(base, "new", removesDetails)).toThrow(/removes cluster outbound\|9080\|\|details/);
    const addsAlpha = deltaOf(before, compile({ services: [service("alpha", "default"), ...three.services] }, canary(0), pool(100)));
    expect(() => applySnapshotDelta(base, "new", { ...addsAlpha, virtualHosts: [] })).toThrow(/lists virtual host alpha/);
    expect(() => applySnapshotDelta(base, "new", { virtualHosts: before.virtualHosts.map((f) => f.value), clusters: {}, removedClusters: [], virtualHostNames: [] })).toThrow(/does not list it/);
  });

  it("gives up when virtual host names are ambiguous, so a full snapshot is sent", () => {
    const twice: ProxyConfig = { ...before, virtualHosts: [...before.virtualHosts, new Fragment(before.virtualHosts[0]!.name, before.virtualHosts[0]!.value)] };
    expect(serializeSnapshotDelta(before, twice)).toBeUndefined();
  });
});
