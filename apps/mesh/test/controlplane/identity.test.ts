import { stat } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { createCsr, readIdentity } from "@skein/shared";
import { JoinTokens } from "../../src/controlplane/join-token.ts";
import { KEY_FILE } from "../../src/proxy/certificate-manager.ts";
import { send, startUpstream, usingMesh, waitUntil, workload } from "../proxy/harness.ts";
import { converged, FakeConfigStore, service, startControlPlane, startManaged } from "./xds-harness.ts";

usingMesh();

const strict = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
`;

const reviewsId = workload("reviews-v1", { app: "reviews", version: "v1" }, "default", "reviews");
const productpageId = workload("productpage-v1", { app: "productpage", version: "v1" }, "default", "productpage");

/** Whether a plaintext HTTP request straight to a port gets any HTTP answer. */
function plaintextAnswered(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write("GET / HTTP/1.1\r\nHost: reviews\r\n\r\n"));
    let answered = false;
    socket.on("data", () => (answered = true));
    socket.on("error", () => resolve(false));
    socket.on("close", () => resolve(answered));
  });
}

describe("workload identity", () => {
  it("carries STRICT mTLS between sidecars with identities the control plane's CA issued", async () => {
    const store = new FakeConfigStore();
    store.set(strict);
    const cp = await startControlPlane({ config: store });
    const app = await startUpstream("reviews-v1");
    const reviews = await startManaged({ controlPlane: cp, workload: reviewsId, appPort: app.port, service: service("reviews") });
    const productpage = await startManaged({ controlPlane: cp, workload: productpageId });
    expect(await converged(cp, ["reviews-v1", "productpage-v1"])).toBe(true);
    expect(reviews.proxy.sidecar.current()!.inbound.mtls.mode).toBe("STRICT");

    const reply = await send(productpage.ports.outbound, "reviews:9080", "/reviews/1");
    expect(reply.status).toBe(200);
    const xfcc = String(app.requests.at(-1)!.headers["x-forwarded-client-cert"]);
    expect(xfcc).toContain("URI=spiffe://cluster.local/ns/default/sa/productpage");
    expect(xfcc).toContain("By=spiffe://cluster.local/ns/default/sa/reviews");
    expect(await plaintextAnswered(reviews.ports.inbound!)).toBe(false);

    const status = (await cp.proxy("productpage-v1"))!;
    expect(status.identity).toBe("spiffe://cluster.local/ns/default/sa/productpage");
    expect(Date.parse(status.certificateExpiry!)).toBeGreaterThan(Date.now());
    // The root key and every sidecar's key are readable by their owner only.
    expect((await stat(join(cp.stateDir, "root-key.pem"))).mode & 0o777).toBe(0o600);
    expect((await stat(join(productpage.cacheDir, KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it("issues a certificate for the join token's workload only, whatever the CSR asks for", async () => {
    const cp = await startControlPlane({ config: new FakeConfigStore() });
    const token = cp.tokenFor(reviewsId);
    const certify = async (authorization: string, spiffeId: string) => {
      const { csrPem } = await createCsr({ spiffeId });
      const res = await request(`${cp.url}/xds/v1/certificate`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify({ csr: csrPem }) });
      return { status: res.statusCode, body: (await res.body.json()) as { certificate?: string; root?: string } };
    };
    const greedy = await certify(`Bearer ${token}`, "spiffe://cluster.local/ns/istio-system/sa/istiod");
    expect(greedy.status).toBe(200);
    expect(readIdentity(greedy.body.certificate!).spiffeId).toBe("spiffe://cluster.local/ns/default/sa/reviews");
    expect(greedy.body.root).toBe(cp.ca.rootPem);

    const forger = new JoinTokens(Buffer.alloc(32, 7));
    const forged = forger.mint({ namespace: "istio-system", serviceAccount: "istiod", workload: "istiod" });
    expect((await certify(`Bearer ${forged}`, "spiffe://cluster.local/ns/istio-system/sa/istiod")).status).toBe(401);

    // The stream registers only the token's own workload.
    const other = { ...productpageId, address: "127.0.0.1", inboundPort: 1 };
    const res = await request(`${cp.url}/xds/v1/stream?workload=${encodeURIComponent(JSON.stringify(other))}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(403);
    await res.body.dump();
  });

  it("rotates certificates at half-life under load without failing a request", async () => {
    const store = new FakeConfigStore();
    store.set(strict);
    // 2 s certificates: renewed about every second.
    const cp = await startControlPlane({ config: store, workloadTtlMs: 2_000 });
    const app = await startUpstream("reviews-v1");
    const reviews = await startManaged({ controlPlane: cp, workload: reviewsId, appPort: app.port, service: service("reviews") });
    const productpage = await startManaged({ controlPlane: cp, workload: productpageId });
    expect(await converged(cp, ["reviews-v1", "productpage-v1"])).toBe(true);
    const first = { reviews: reviews.proxy.certificates.installed, productpage: productpage.proxy.certificates.installed };

    const statuses = new Map<number, number>();
    let sent = 0;
    const rotatedTwice = () => reviews.proxy.certificates.installed >= first.reviews + 2 && productpage.proxy.certificates.installed >= first.productpage + 2;
    // Four clients keep requests in flight across the rotations; bounded by two rotations
    // on each side or 4,000 requests, whichever comes first.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!rotatedTwice() && sent < 4_000) {
          sent++;
          const r = await send(productpage.ports.outbound, "reviews:9080", "/reviews/1");
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      }),
    );
    expect(rotatedTwice()).toBe(true);
    expect([...statuses.keys()]).toEqual([200]);
    // Connections made after the last rotation present the newest certificate.
    expect(await waitUntil(async () => (await send(productpage.ports.outbound, "reviews:9080", "/")).status === 200)).toBe(true);
  });
});
