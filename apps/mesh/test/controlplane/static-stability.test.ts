import { describe, expect, it } from "vitest";
import type { WorkloadIdentity } from "@skein/shared";
import { JoinTokens } from "../../src/controlplane/join-token.ts";
import { send, sendMany, startUpstream, unusedPort, usingMesh, waitUntil, workload } from "../proxy/harness.ts";
import { converged, FakeConfigStore, service, startControlPlane, startManaged, tempDir, type TestControlPlane } from "./xds-harness.ts";

usingMesh();

const routeTo = (subset: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: ${subset}}}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
`;

const ids = {
  v1: workload("reviews-v1", { app: "reviews", version: "v1" }, "default", "reviews"),
  v2: workload("reviews-v2", { app: "reviews", version: "v2" }, "default", "reviews"),
  productpage: workload("productpage-v1", { app: "productpage", version: "v1" }, "default", "productpage"),
};
const names = ["productpage-v1", "reviews-v1", "reviews-v2"];

async function answering(port: number, n = 30): Promise<string[]> {
  const replies = await sendMany(n, 3, () => send(port, "reviews:9080", "/reviews/1"));
  return [...new Set(replies.map((r) => (r.status === 200 ? r.json<{ name: string }>().name : `status ${r.status}`)))];
}

describe("static stability", () => {
  it("keeps serving while the control plane is down, restarts from the disk cache, and resynchronises when it returns", async () => {
    const store = new FakeConfigStore();
    store.set(routeTo("v1"));
    let cp: TestControlPlane = await startControlPlane({ config: store });
    const apps = { v1: await startUpstream("reviews-v1"), v2: await startUpstream("reviews-v2") };
    const reviewsV1 = await startManaged({ controlPlane: cp, workload: ids.v1, appPort: apps.v1.port, service: service("reviews") });
    await startManaged({ controlPlane: cp, workload: ids.v2, appPort: apps.v2.port, service: service("reviews") });
    let productpage = await startManaged({ controlPlane: cp, workload: ids.productpage });
    expect(await converged(cp, names)).toBe(true);
    expect(await answering(productpage.ports.outbound)).toEqual(["reviews-v1"]);
    const { port, stateDir, url } = cp;
    const tokenFor = cp.tokenFor;

    // The control plane dies: traffic carries on with the config the sidecars hold.
    await cp.kill();
    expect(await waitUntil(() => !productpage.proxy.connected && !reviewsV1.proxy.connected)).toBe(true);
    expect(await answering(productpage.ports.outbound, 60)).toEqual(["reviews-v1"]);

    // Sidecars restarted meanwhile come up on their cached config and certificate. The
    // server keeps its inbound port, where its peers' cached endpoints point.
    await productpage.close();
    await reviewsV1.close();
    const dead = { url, tokenFor };
    productpage = await startManaged({ controlPlane: dead, workload: ids.productpage, cacheDir: productpage.cacheDir });
    await startManaged({ controlPlane: dead, workload: ids.v1, appPort: apps.v1.port, service: service("reviews"), cacheDir: reviewsV1.cacheDir, inboundPort: reviewsV1.ports.inbound! });
    expect(productpage.proxy.connected).toBe(false);
    expect(await answering(productpage.ports.outbound)).toEqual(["reviews-v1"]);

    // A change made while the control plane was away reaches the sidecars once it is back.
    store.set(routeTo("v2"));
    // The restarted control plane knows the workloads from its state directory before
    // their sidecars reconnect, so none is pushed a mesh with the others missing.
    cp = await startControlPlane({ config: store, port, stateDir });
    expect(cp.registry.list().map((w) => w.name)).toEqual(names);
    // Requests keep flowing while the sidecars reconnect and switch to v2; bounded by
    // convergence and the first v2 answer after it, or 3,000 requests.
    const seen = new Map<string, number>();
    let stop = false;
    const load = (async () => {
      for (let n = 0; n < 3_000 && !stop; n++) {
        const r = await send(productpage.ports.outbound, "reviews:9080", "/reviews/1");
        const answer = r.status === 200 ? r.json<{ name: string }>().name : `status ${r.status}`;
        seen.set(answer, (seen.get(answer) ?? 0) + 1);
      }
    })();
    const done = await converged(cp, names);
    const sawV2 = await waitUntil(() => (seen.get("reviews-v2") ?? 0) > 0);
    stop = true;
    await load;
    expect(done).toBe(true);
    expect(sawV2).toBe(true);
    expect([...seen.keys()].filter((k) => !k.startsWith("reviews-"))).toEqual([]);
    expect(await answering(productpage.ports.outbound)).toEqual(["reviews-v2"]);
  });

  it("without a cache, waits for the control plane and starts on its first snapshot", async () => {
    const store = new FakeConfigStore();
    store.set(routeTo("v1"));
    const port = await unusedPort();
    const stateDir = await tempDir("cp");
    // Tokens come from the state directory's secret, which the control plane will find there.
    const tokens = await JoinTokens.open(stateDir);
    const controlPlane = { url: `http://127.0.0.1:${port}`, tokenFor: (w: WorkloadIdentity) => tokens.mint({ namespace: w.namespace, serviceAccount: w.serviceAccount, workload: w.name }) };
    const app = await startUpstream("reviews-v1");
    let ready = false;
    const starting = startManaged({ controlPlane, workload: ids.v1, appPort: app.port, service: service("reviews") }).then((m) => ((ready = true), m));
    await new Promise((d) => setTimeout(d, 300));
    expect(ready).toBe(false);

    const cp = await startControlPlane({ config: store, port, stateDir });
    const reviews = await starting;
    expect(reviews.proxy.version).toBe((await cp.proxy("reviews-v1"))!.sentVersion);
    expect(Object.keys(reviews.proxy.sidecar.current()!.clusters)).toContain("outbound|9080|v1|reviews.default.svc.cluster.local");
  });
});
