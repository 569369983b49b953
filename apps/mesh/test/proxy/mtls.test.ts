/**
 * Mutual TLS between real sidecars, with certificates from a real CA: PeerAuthentication
 * modes on the inbound listener, the client's check of the server's SPIFFE identity,
 * DestinationRule TLS modes, and certificate rotation under load.
 * https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
import { createHash, X509Certificate } from "node:crypto";
import { connect as netConnect } from "node:net";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import { describe, expect, it } from "vitest";
import { IdentitySource, type WorkloadCertificates } from "../../src/proxy/identity.ts";
import { send, sendMany, serviceEntry, startCa, startSidecar, startUpstream, usingMesh, workload, type TestCa } from "./harness.ts";

usingMesh();

const REVIEWS_SA = "spiffe://cluster.local/ns/default/sa/reviews";
const PRODUCTPAGE_SA = "spiffe://cluster.local/ns/default/sa/productpage";

function peerAuthentication(mode: string, portLevel: Record<number, string> = {}): string {
  const ports = Object.entries(portLevel).map(([p, m]) => `    ${p}: {mode: ${m}}\n`).join("");
  return `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: reviews}
spec:
  selector: {matchLabels: {app: reviews}}
  mtls: {mode: ${mode}}
${ports ? `  portLevelMtls:\n${ports}` : ""}`;
}

/** The reviews app behind a sidecar; `policy` gets the app's port, which port-level mTLS names. */
async function startReviews(ca: TestCa, policy: (appPort: number) => string, certs?: WorkloadCertificates | IdentitySource) {
  const app = await startUpstream("reviews-v1");
  const identity = certs instanceof IdentitySource ? certs : new IdentitySource(certs ?? (await ca.issue("default", "reviews")));
  const server = await startSidecar({
    yaml: `${serviceEntry("reviews", 9080, [{ port: 1 }])}---\n${policy(app.port)}`,
    workload: workload("reviews-v1", { app: "reviews", version: "v1" }, "default", "reviews"),
    appPort: app.port,
    options: { identity },
  });
  return { app, server, inbound: server.ports.inbound!, identity };
}

/** A productpage sidecar that knows reviews as a mesh workload (service account reviews) behind `inboundPort`. */
async function startProductpage(ca: TestCa, inboundPort: number, extraYaml = "", certs?: WorkloadCertificates | IdentitySource) {
  const identity = certs instanceof IdentitySource ? certs : new IdentitySource(certs ?? (await ca.issue("default", "productpage")));
  return startSidecar({
    yaml: serviceEntry("reviews", 9080, [{ port: inboundPort, serviceAccount: "reviews", labels: { app: "reviews", version: "v1" } }]) + extraYaml,
    workload: workload("productpage-v1", { app: "productpage", version: "v1" }, "default", "productpage"),
    options: { identity },
  });
}

const plainGet = (path: string, extra = "") => `GET ${path} HTTP/1.1\r\nHost: reviews:9080\r\n${extra}Connection: close\r\n\r\n`;

/** A connection the sidecar neither answers nor closes fails the test here, not at the test timeout. */
const EXCHANGE_LIMIT_MS = 5_000;

/** Writes raw bytes on a plaintext connection and returns everything read until the sidecar closed it. */
function plaintextExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let received = "";
    socket.setTimeout(EXCHANGE_LIMIT_MS, () => {
      reject(new Error(`connection neither answered nor closed; read ${JSON.stringify(received)}`));
      socket.destroy();
    });
    socket.on("data", (d: Buffer) => (received += d.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(received));
    socket.write(request);
  });
}

/**
 * An HTTP/1.1 exchange over TLS with the given client certificate; returns what was read
 * and the server's certificate. With TLS 1.3 a client whose certificate the server refuses
 * still completes its side of the handshake, so acceptance is judged by the response.
 */
function tlsExchange(port: number, certs: Partial<WorkloadCertificates>, request: string): Promise<{ received: string; server?: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const mine = certs.certPem && certs.keyPem ? { cert: certs.certPem, key: certs.keyPem } : {};
    const socket = tlsConnect({ host: "127.0.0.1", port, ...mine, ca: certs.rootPem, checkServerIdentity: () => undefined, ALPNProtocols: ["http/1.1"] });
    let received = "";
    let server: PeerCertificate | undefined;
    socket.setTimeout(EXCHANGE_LIMIT_MS, () => {
      reject(new Error(`TLS connection neither answered nor closed; read ${JSON.stringify(received)}`));
      socket.destroy();
    });
    socket.on("secureConnect", () => {
      server = socket.getPeerCertificate();
      socket.write(request);
    });
    socket.on("data", (d: Buffer) => (received += d.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve({ received, ...(server ? { server } : {}) }));
  });
}

const sha256OfCert = (pem: string) => createHash("sha256").update(new X509Certificate(pem).raw).digest("hex");
const xfccOf = (h: Record<string, unknown>) => String(h["x-forwarded-client-cert"] ?? "");

describe("PeerAuthentication on the inbound listener", () => {
  it("STRICT closes a plaintext connection without a response and serves the mTLS caller", async () => {
    const ca = await startCa();
    const { app, inbound } = await startReviews(ca, () => peerAuthentication("STRICT"));
    expect(await plaintextExchange(inbound, plainGet("/plain"))).toBe("");
    const client = await startProductpage(ca, inbound);
    const reply = await send(client.ports.outbound, "reviews:9080", "/mtls");
    expect(reply.status).toBe(200);
    expect(app.requests.map((r) => r.path)).toEqual(["/mtls"]);
    expect(xfccOf(app.requests[0]!.headers)).toContain(`URI=${PRODUCTPAGE_SA}`);
  });

  it("PERMISSIVE serves plaintext and mTLS callers on the same port, naming only the mTLS caller", async () => {
    const ca = await startCa();
    const { app, inbound } = await startReviews(ca, () => peerAuthentication("PERMISSIVE"));
    const plain = await plaintextExchange(inbound, plainGet("/plain"));
    expect(plain).toMatch(/^HTTP\/1\.1 200 /);
    const client = await startProductpage(ca, inbound);
    expect((await send(client.ports.outbound, "reviews:9080", "/mtls")).status).toBe(200);
    expect(app.requests.map((r) => r.path)).toEqual(["/plain", "/mtls"]);
    expect(app.requests[0]!.headers["x-forwarded-client-cert"]).toBeUndefined();
    expect(xfccOf(app.requests[1]!.headers)).toContain(`URI=${PRODUCTPAGE_SA}`);
  });

  it("DISABLE serves plaintext and refuses a TLS handshake", async () => {
    const ca = await startCa();
    const { app, inbound } = await startReviews(ca, () => peerAuthentication("DISABLE"));
    expect(await plaintextExchange(inbound, plainGet("/plain"))).toMatch(/^HTTP\/1\.1 200 /);
    const direct = await tlsExchange(inbound, await ca.issue("default", "productpage"), plainGet("/tls"));
    expect(direct.received).toBe("");
    // Auto mTLS still picks ISTIO_MUTUAL towards a sidecar: the handshake fails, as in Istio.
    const client = await startProductpage(ca, inbound);
    const reply = await send(client.ports.outbound, "reviews:9080", "/via-sidecar");
    expect(reply.status).toBe(503);
    expect(app.requests.map((r) => r.path)).toEqual(["/plain"]);
  });

  it.each([
    ["STRICT", "PERMISSIVE", true],
    ["PERMISSIVE", "STRICT", false],
    ["DISABLE", "STRICT", false],
  ])("a workload in %s with %s on the app's port %s plaintext", async (workloadMode, portMode, servesPlaintext) => {
    const ca = await startCa();
    const { app, inbound } = await startReviews(ca, (appPort) => peerAuthentication(workloadMode, { [appPort]: portMode }));
    const plain = await plaintextExchange(inbound, plainGet("/plain"));
    if (servesPlaintext) expect(plain).toMatch(/^HTTP\/1\.1 200 /);
    else expect(plain).toBe("");
    // The port's mode governs mTLS callers too: both STRICT and PERMISSIVE accept them.
    const client = await startProductpage(ca, inbound);
    expect((await send(client.ports.outbound, "reviews:9080", "/mtls")).status).toBe(200);
    expect(app.requests.map((r) => r.path)).toEqual(servesPlaintext ? ["/plain", "/mtls"] : ["/mtls"]);
  });

  it("ignores port-level settings for a port other than the app's", async () => {
    const ca = await startCa();
    const { inbound } = await startReviews(ca, (appPort) => peerAuthentication("STRICT", { [appPort === 65000 ? 65001 : 65000]: "PERMISSIVE" }));
    expect(await plaintextExchange(inbound, plainGet("/plain"))).toBe("");
  });

  it("refuses a TLS client that presents no certificate", async () => {
    const ca = await startCa();
    const { app, inbound } = await startReviews(ca, () => peerAuthentication("PERMISSIVE"));
    expect((await tlsExchange(inbound, { rootPem: ca.root.certPem }, plainGet("/anonymous"))).received).toBe("");
    expect(app.requests).toEqual([]);
  });

  it("refuses a client certificate issued by another root", async () => {
    const ca = await startCa();
    const foreign = await startCa();
    const { app, inbound } = await startReviews(ca, () => peerAuthentication("PERMISSIVE"));
    const alien = await foreign.issue("default", "productpage");
    // The certificate is foreign, the trust bundle the mesh's: only the server can object.
    const direct = await tlsExchange(inbound, { ...alien, rootPem: ca.root.certPem }, plainGet("/direct"));
    expect(direct.received).toBe("");
    const client = await startProductpage(ca, inbound, "", { ...alien, rootPem: ca.root.certPem });
    const reply = await send(client.ports.outbound, "reviews:9080", "/via-sidecar");
    expect(reply.status).toBe(503);
    expect(app.requests).toEqual([]);
  });
});

describe("the client's check of the server", () => {
  it("answers 503 UF when the server presents another service account's certificate, and the app sees nothing", async () => {
    const ca = await startCa();
    // The sidecar in front of reviews holds ratings' identity: an impostor for this client.
    const { app, inbound } = await startReviews(ca, () => peerAuthentication("PERMISSIVE"), await ca.issue("default", "ratings"));
    const client = await startProductpage(ca, inbound);
    const reply = await send(client.ports.outbound, "reviews:9080", "/reviews/1");
    expect(reply.status).toBe(503);
    expect(app.requests).toEqual([]);
    const line = client.accessLog.at(-1)!;
    // Istio's default retry policy retries connect failures, so URX may follow UF.
    expect(String(line.response_flags).split(",")).toContain("UF");
    expect(line.response_code).toBe(503);
  });

  it("accepts the server whose certificate names the destination's service account", async () => {
    const ca = await startCa();
    const { inbound } = await startReviews(ca, () => peerAuthentication("STRICT"));
    const client = await startProductpage(ca, inbound);
    const reply = await send(client.ports.outbound, "reviews:9080", "/reviews/1");
    expect(reply.status).toBe(200);
    expect(xfccOf(reply.json<{ headers: Record<string, unknown> }>().headers)).toContain(`By=${REVIEWS_SA}`);
  });
});

describe("DestinationRule TLS settings", () => {
  const disable = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews.default.svc.cluster.local
  trafficPolicy: {tls: {mode: DISABLE}}
`;

  it("mode DISABLE sends plaintext even to a sidecar: a PERMISSIVE server sees no caller, a STRICT one refuses", async () => {
    const ca = await startCa();
    const { app, server, inbound } = await startReviews(ca, () => peerAuthentication("PERMISSIVE"));
    const client = await startProductpage(ca, inbound, disable);
    expect((await send(client.ports.outbound, "reviews:9080", "/permissive")).status).toBe(200);
    expect(app.requests[0]!.headers["x-forwarded-client-cert"]).toBeUndefined();
    expect(app.requests[0]!.headers["x-skein-peer-metadata"]).toBeUndefined();

    server.apply(`${serviceEntry("reviews", 9080, [{ port: 1 }])}---\n${peerAuthentication("STRICT")}`);
    const refused = await send(client.ports.outbound, "reviews:9080", "/strict");
    expect(refused.status).toBe(503);
    expect(app.requests.map((r) => r.path)).toEqual(["/permissive"]);
  });
});

describe("certificate rotation", () => {
  it("drops no request while both sides rotate, and new connections present the new certificates", async () => {
    const ca = await startCa();
    const [serverOld, serverNew, clientOld, clientNew] = await Promise.all([
      ca.issue("default", "reviews"),
      ca.issue("default", "reviews"),
      ca.issue("default", "productpage"),
      ca.issue("default", "productpage"),
    ]);
    const serverIdentity = new IdentitySource(serverOld);
    const clientIdentity = new IdentitySource(clientOld);
    const { app, inbound } = await startReviews(ca, () => peerAuthentication("STRICT"), serverIdentity);
    const client = await startProductpage(ca, inbound, "", clientIdentity);

    // 300 requests, 4 at a time, ~20 ms apart on each worker (about 1.5 s); the server
    // rotates a third of the way in, the client two thirds in.
    const rotations = [
      setTimeout(() => serverIdentity.rotate(serverNew), 500),
      setTimeout(() => clientIdentity.rotate(clientNew), 1000),
    ];
    let replies;
    try {
      replies = await sendMany(300, 4, async (i) => {
        const r = await send(client.ports.outbound, "reviews:9080", `/r/${i}`);
        await new Promise((d) => setTimeout(d, 20));
        return r;
      });
    } finally {
      rotations.forEach(clearTimeout);
    }
    expect(replies.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.text}`)).toEqual([]);

    // The server saw the old client certificate first and the new one last (XFCC Hash).
    const hashes = app.requests.map((r) => /Hash=([0-9a-f]+)/.exec(xfccOf(r.headers))?.[1]);
    expect(hashes[0]).toBe(sha256OfCert(clientOld.certPem));
    expect(hashes.at(-1)).toBe(sha256OfCert(clientNew.certPem));
    expect(new Set(hashes)).toEqual(new Set([sha256OfCert(clientOld.certPem), sha256OfCert(clientNew.certPem)]));

    // A new connection to the server gets the new server certificate.
    const probe = await tlsExchange(inbound, clientNew, plainGet("/probe"));
    expect(probe.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(probe.server?.serialNumber.toUpperCase()).toBe(new X509Certificate(serverNew.certPem).serialNumber.toUpperCase());
  });
});
