import { describe, expect, it } from "vitest";
import { validateSources, type ProxySnapshot, type Resource, type ServiceRegistry, type WorkloadIdentity } from "@skein/shared";
import { GroupSnapshots, sidecarVersion } from "./group-snapshots.ts";

const load = (yaml: string): Resource[] => validateSources([{ file: "t.yaml", text: yaml }]).resources.map((l) => l.resource);
const service = (name: string, namespace: string) => ({
  host: `${name}.${namespace}.svc.cluster.local`,
  name,
  namespace,
  ports: [{ number: 9080, name: "http", protocol: "http" as const }],
  endpoints: [{ address: "127.0.0.1", ports: { http: 7001 }, labels: { app: name }, workload: `${name}-v1`, namespace, serviceAccount: name, sidecar: true, weight: 1 }],
  selector: { app: name },
  external: false,
});
const identity = (name: string, labels: Record<string, string>, namespace = "shop"): WorkloadIdentity => ({
  name,
  namespace,
  serviceAccount: labels.app!,
  labels,
  trustDomain: "cluster.local",
  spiffeId: `spiffe://cluster.local/ns/${namespace}/sa/${labels.app}`,
});
const pool = (pending: number, selector = "") => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews${selector ? "-from-pp" : ""}, namespace: ${selector ? "shop" : "default"}}
spec:
  host: reviews.default.svc.cluster.local${selector ? `\n  workloadSelector: {matchLabels: {${selector}}}` : ""}
  trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: ${pending}}}}
`;

function setup(yaml: string) {
  let resources = load(yaml);
  let registry: ServiceRegistry = { services: [service("reviews", "default"), service("productpage", "shop"), service("ratings", "shop")] };
  const groups = new GroupSnapshots({ resources: () => resources, registry: () => registry });
  return {
    groups,
    /** Replaces the resources the way the config store does: the unchanged ones stay the same objects. */
    apply(yaml: string) {
      const incoming = load(yaml);
      const keyOf = (r: Resource) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;
      resources = [...resources.filter((r) => !incoming.some((i) => keyOf(i) === keyOf(r))), ...incoming];
      groups.configChanged();
    },
    setRegistry(r: ServiceRegistry) {
      registry = r;
      groups.registryChanged();
    },
  };
}

const pp1 = identity("productpage-v1", { app: "productpage", version: "v1" });
const pp2 = identity("productpage-v2", { app: "productpage", version: "v2" });
const ratings = identity("ratings-v1", { app: "ratings", version: "v1" });

describe("GroupSnapshots", () => {
  it("compiles and serialises one snapshot for sidecars no selector tells apart, each with its own version", () => {
    const { groups } = setup(pool(100));
    const [a, b] = [groups.snapshotFor(pp1), groups.snapshotFor(pp2)];
    expect(a).toBe(b);
    expect(groups.snapshotFor(ratings)).not.toBe(a);
    expect(sidecarVersion(a.digest, JSON.stringify(pp1))).not.toBe(sidecarVersion(a.digest, JSON.stringify(pp2)));
    // The body completes the snapshot event that starts with the sidecar's own version and workload.
    const event = `{"version":"v","snapshot":{"version":"v","workload":${JSON.stringify(pp1)},${a.body.toString()}`;
    const snapshot = (JSON.parse(event.trimEnd()) as { snapshot: ProxySnapshot }).snapshot;
    expect(snapshot.workload).toEqual(pp1);
    expect(snapshot.clusters["outbound|9080||reviews.default.svc.cluster.local"]!.connectionPool.http1MaxPendingRequests).toBe(100);
  });

  it("keeps the groups a scoped DestinationRule does not select, and recompiles the one it does", () => {
    // A namespace new to the config would change how short hosts resolve: start with one in "shop".
    const { groups, apply } = setup(`${pool(100)}---\n${pool(100).replace("name: reviews, namespace: default", "name: ratings, namespace: shop").replace("reviews.default", "ratings.shop")}`);
    const [before, other] = [groups.snapshotFor(pp1), groups.snapshotFor(ratings)];
    apply(pool(7, "app: productpage"));
    const after = groups.snapshotFor(pp1);
    expect(groups.snapshotFor(ratings)).toBe(other);
    expect(after).not.toBe(before);
    expect(after.digest).not.toBe(before.digest);
    expect(after.config.clusters.find((f) => f.name === "outbound|9080||reviews.default.svc.cluster.local")!.value.connectionPool.http1MaxPendingRequests).toBe(7);
  });

  it("recompiles every group for a mesh-wide change, to the same digest when the content did not change", () => {
    const { groups, apply } = setup(pool(100));
    const before = groups.snapshotFor(ratings);
    apply(pool(100));
    const same = groups.snapshotFor(ratings);
    expect(same).not.toBe(before);
    expect(same.digest).toBe(before.digest);
    apply(pool(5));
    expect(groups.snapshotFor(ratings).digest).not.toBe(before.digest);
  });

  it("builds each delta once per base, and sends the whole snapshot when a delta would not be much smaller", () => {
    const { groups, apply, setRegistry } = setup(pool(100));
    const before = groups.snapshotFor(pp1);
    apply(pool(5));
    const after = groups.snapshotFor(pp1);
    const delta = groups.deltaFrom(before, after)!;
    expect(groups.deltaFrom(before, after)).toBe(delta);
    expect(JSON.parse(delta.toString().trimEnd().slice(0, -1))).toMatchObject({ virtualHosts: [], removedClusters: [] });
    // A registry with other services changes nearly everything.
    setRegistry({ services: [service("details", "default"), service("productpage", "shop")] });
    expect(groups.deltaFrom(after, groups.snapshotFor(pp1))).toBeUndefined();
  });
});
