import { request } from "undici";
import { describe, expect, it } from "vitest";
import { compileRegex, type Resource, type VirtualServiceSpec } from "@skein/shared";
import { ConfigStore } from "../../src/controlplane/config-store.ts";
import { openTestDatabase } from "../../src/controlplane/config-store.testing.ts";
import type { ConfigSource } from "../../src/controlplane/push.ts";
import type { WorkloadRegistry } from "../../src/controlplane/registry.ts";
import { closeLater, loadYaml, send, sendMany, startUpstream, usingMesh, waitUntil, workload } from "../proxy/harness.ts";
import { converged, FakeConfigStore, service, startControlPlane, startManaged, type TestControlPlane } from "./xds-harness.ts";

usingMesh();

const subsets = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`;

const routeTo = (subset: string) => `${subsets}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: ${subset}}}]
`;

const names = ["productpage-v1", "ratings-v1", "reviews-v1", "reviews-v2"];

/** reviews v1 and v2, ratings and a productpage client, all fed by one control plane. */
async function bookinfo(store: ConfigSource) {
  const cp = await startControlPlane({ config: store });
  const start = async (name: string, app: string, version: string) => {
    const upstream = await startUpstream(name);
    return startManaged({
      controlPlane: cp,
      workload: workload(name, { app, version }, "default", app),
      appPort: upstream.port,
      service: service(app),
    });
  };
  const reviewsV1 = await start("reviews-v1", "reviews", "v1");
  const reviewsV2 = await start("reviews-v2", "reviews", "v2");
  const ratings = await start("ratings-v1", "ratings", "v1");
  const productpage = await startManaged({ controlPlane: cp, workload: workload("productpage-v1", { app: "productpage", version: "v1" }, "default", "productpage") });
  expect(await converged(cp, names)).toBe(true);
  return { cp, reviewsV1, reviewsV2, ratings, productpage };
}

async function reviewsAnswering(port: number, n = 20): Promise<string[]> {
  const replies = await sendMany(n, 4, () => send(port, "reviews:9080", "/reviews/1"));
  return [...new Set(replies.map((r) => (r.status === 200 ? r.json<{ name: string }>().name : `status ${r.status}`)))];
}

/** Recomputes now, then waits for every sidecar to ACK: nothing is left in flight afterwards. */
async function settle(cp: TestControlPlane): Promise<void> {
  cp.push.flush();
  expect(await converged(cp, names)).toBe(true);
}

describe("config push", () => {
  it("brings a VirtualService change applied to the config store to every sidecar, which ACK it, and traffic follows", async () => {
    const database = openTestDatabase();
    closeLater(() => database.close());
    // The store validates against the registry of the control plane started below.
    const mesh: { registry?: WorkloadRegistry } = {};
    const store = await ConfigStore.open(database.db, { context: () => mesh.registry?.validationContext() ?? [] });
    const apply = async (yaml: string) => {
      const result = await store.apply({ files: [{ file: "reviews.yaml", text: yaml }] }, "test");
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    };
    await apply(routeTo("v1"));
    const { cp, productpage } = await bookinfo(store);
    mesh.registry = cp.registry;
    expect(await reviewsAnswering(productpage.ports.outbound)).toEqual(["reviews-v1"]);
    const before = await cp.proxies();

    await apply(routeTo("v2"));
    expect(await converged(cp, names, before)).toBe(true);
    const after = await cp.proxies();
    for (const name of names) {
      const was = before.find((p) => p.workload === name)!;
      const now = after.find((p) => p.workload === name)!;
      expect(now.ackedVersion, name).not.toBe(was.ackedVersion);
      expect(now.nack, name).toBeUndefined();
    }
    expect(productpage.proxy.version).toBe(after.find((p) => p.workload === "productpage-v1")!.ackedVersion);
    expect(await reviewsAnswering(productpage.ports.outbound)).toEqual(["reviews-v2"]);
  });

  it("sends nothing to a sidecar whose snapshot did not change", async () => {
    const store = new FakeConfigStore();
    store.set(routeTo("v1"));
    const { cp, reviewsV1, reviewsV2, ratings, productpage } = await bookinfo(store);
    await settle(cp);
    const unaffected = { productpage, reviewsV1, reviewsV2 };
    const received = Object.fromEntries(Object.entries(unaffected).map(([k, s]) => [k, s.proxy.snapshotsReceived]));
    const sentBefore = await cp.proxies();
    const ratingsBefore = ratings.proxy.snapshotsReceived;

    // Only ratings' inbound listener is selected by this policy.
    store.set(`${routeTo("v1")}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ratings-strict}
spec:
  selector: {matchLabels: {app: ratings}}
  mtls: {mode: STRICT}
`);
    await settle(cp);
    expect(ratings.proxy.snapshotsReceived).toBe(ratingsBefore + 1);
    expect(ratings.proxy.sidecar.current()!.inbound.mtls.mode).toBe("STRICT");
    for (const [k, s] of Object.entries(unaffected)) expect(s.proxy.snapshotsReceived, k).toBe(received[k]);
    const sentAfter = await cp.proxies();
    for (const name of ["productpage-v1", "reviews-v1", "reviews-v2"]) {
      expect(sentAfter.find((p) => p.workload === name)!.sentVersion, name).toBe(sentBefore.find((p) => p.workload === name)!.sentVersion);
    }
  });

  it("records a NACK with its error in /api/v1/proxies and keeps the sidecar on its last good config", async () => {
    const store = new FakeConfigStore();
    store.set(routeTo("v1"));
    const { cp, productpage } = await bookinfo(store);
    const good = (await cp.proxy("productpage-v1"))!.ackedVersion;

    // A route no regex engine of the sidecar compiles: a real store would refuse it, but a
    // sidecar must still survive a snapshot it cannot apply (an older sidecar, a newer CP).
    const { resources } = loadYaml(routeTo("v2"));
    const vs = resources.find((r) => r.kind === "VirtualService") as Resource<VirtualServiceSpec>;
    vs.spec.http![0]!.match = [{ uri: { regex: "(" } }];
    store.setResources(resources);
    let regexError = "";
    try {
      compileRegex("(");
    } catch (e) {
      regexError = (e as Error).message;
    }
    expect(regexError).not.toBe("");

    const refused = async () => {
      const s = await cp.proxy("productpage-v1");
      return s?.nack !== undefined && s.nack.version === s.sentVersion;
    };
    expect(await waitUntil(refused)).toBe(true);
    const status = (await cp.proxy("productpage-v1"))!;
    expect(status.nack!.error).toContain(regexError);
    expect(status.ackedVersion).toBe(good);
    expect(status.sentVersion).not.toBe(good);
    expect(productpage.proxy.version).toBe(good);
    expect(await reviewsAnswering(productpage.ports.outbound)).toEqual(["reviews-v1"]);

    // A fixed config is ACKed and clears the NACK.
    const refusedState = await cp.proxies();
    store.set(routeTo("v2"));
    expect(await converged(cp, names, refusedState)).toBe(true);
    expect((await cp.proxy("productpage-v1"))!.nack).toBeUndefined();
    expect(await reviewsAnswering(productpage.ports.outbound)).toEqual(["reviews-v2"]);
  });

  it("lists registered workloads with their sidecar's inbound port", async () => {
    const store = new FakeConfigStore();
    store.set(routeTo("v1"));
    const { cp, reviewsV1 } = await bookinfo(store);
    const res = await request(`${cp.url}/api/v1/workloads`);
    const items = ((await res.body.json()) as { items: { name: string; inboundPort?: number; serviceAccount: string }[] }).items;
    expect(items.map((w) => w.name)).toEqual(names);
    expect(items.find((w) => w.name === "reviews-v1")).toMatchObject({ serviceAccount: "reviews", inboundPort: reviewsV1.ports.inbound });
  });
});
