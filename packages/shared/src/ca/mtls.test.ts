// Real node:tls sockets on loopback with certificates from this CA: the shape the
// sidecars use for mTLS between each other.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPeerIdentity, uriSanFromPeer } from "./inspect.ts";
import { issueLeaf, type IssuedLeaf } from "./issue.ts";
import { createRootCa, type RootCa } from "./root.ts";
import { spiffeId } from "./spiffe.ts";

// Handshakes check validity against the real time, so here the clock is the real one.
const clock = { now: () => Date.now() };
const reviewsId = spiffeId("cluster.local", "default", "reviews");
const productpageId = spiffeId("cluster.local", "default", "productpage");
const ratingsId = spiffeId("cluster.local", "default", "ratings");

let root: RootCa;
let reviews: IssuedLeaf;
let productpage: IssuedLeaf;
let stranger: IssuedLeaf;
let server: tls.Server;
let port: number;
/** Client ports of the connections the server accepted, to tell which connection got through. */
const accepted = new Set<number>();

beforeAll(async () => {
  root = await createRootCa({ trustDomain: "cluster.local", ttlMs: 3600_000, clock });
  const otherRoot = await createRootCa({ trustDomain: "cluster.local", ttlMs: 3600_000, clock });
  reviews = await issueLeaf(root, { spiffeId: reviewsId, ttlMs: 60_000, clock });
  productpage = await issueLeaf(root, { spiffeId: productpageId, ttlMs: 60_000, clock });
  stranger = await issueLeaf(otherRoot, { spiffeId: productpageId, ttlMs: 60_000, clock });

  server = tls.createServer({
    key: reviews.keyPem,
    cert: reviews.certPem,
    ca: root.certPem,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: "TLSv1.3",
  });
  // The server answers each request with the caller's SPIFFE ID, as the inbound
  // listener hands it to authorization.
  server.on("secureConnection", (socket) => {
    accepted.add(socket.remotePort ?? 0);
    const peer = uriSanFromPeer(socket.getPeerCertificate());
    socket.once("data", () => socket.end(`peer=${peer ?? "none"}`));
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.close();
  await once(server, "close");
});

interface Exchange {
  reply: string;
  error?: Error;
  localPort?: number;
}

/** Connects, sends one line once the handshake is done, and collects the reply until close. */
function exchange(options: tls.ConnectionOptions): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port, ca: root.certPem, ...options });
    const result: Exchange = { reply: "" };
    socket.setEncoding("utf8");
    socket.setTimeout(5000, () => socket.destroy(new Error("timed out")));
    socket.on("connect", () => (result.localPort = socket.localPort));
    socket.on("secureConnect", () => socket.write("ping\n"));
    socket.on("data", (chunk: string) => (result.reply += chunk));
    socket.on("error", (err) => (result.error = err));
    socket.on("close", () => resolve(result));
  });
}

describe("mTLS between two sidecars", () => {
  it("completes the handshake and the server reads the client's SPIFFE ID", async () => {
    const result = await exchange({
      key: productpage.keyPem,
      cert: productpage.certPem,
      checkServerIdentity: checkPeerIdentity([reviewsId]),
    });
    expect(result.error).toBeUndefined();
    expect(result.reply).toBe(`peer=${productpageId}`);
    expect(accepted.has(result.localPort!)).toBe(true);
  });

  it("accepts the server when it is among several allowed identities", async () => {
    const result = await exchange({
      key: productpage.keyPem,
      cert: productpage.certPem,
      checkServerIdentity: checkPeerIdentity([ratingsId, reviewsId]),
    });
    expect(result.reply).toBe(`peer=${productpageId}`);
  });

  it("has the client reject a server whose SPIFFE ID is not the expected one", async () => {
    const result = await exchange({
      key: productpage.keyPem,
      cert: productpage.certPem,
      checkServerIdentity: checkPeerIdentity([ratingsId]),
    });
    expect(result.reply).toBe("");
    expect(result.error?.message).toContain(reviewsId);
    expect(result.error?.message).toContain(ratingsId);
  });

  it("fails Node's default host-name check, which is why checkPeerIdentity replaces it", async () => {
    const result = await exchange({ key: productpage.keyPem, cert: productpage.certPem });
    expect(result.reply).toBe("");
    expect(result.error).toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  // With TLS 1.3 the client finishes its side of the handshake before the server has
  // judged its certificate, so it may see secureConnect; node:tls then drops the socket
  // without an alert or a tlsClientError, so the client may see a plain close. What it
  // never gets is a reply, and the server never hands the connection on.
  it("has the server refuse a client certificate from another root", async () => {
    const result = await exchange({
      key: stranger.keyPem,
      cert: stranger.certPem,
      checkServerIdentity: checkPeerIdentity([reviewsId]),
    });
    expect(result.reply).toBe("");
    expect(accepted.has(result.localPort!)).toBe(false);
  });

  it("has the server refuse a client without a certificate", async () => {
    const result = await exchange({ checkServerIdentity: checkPeerIdentity([reviewsId]) });
    expect(result.reply).toBe("");
    expect(accepted.has(result.localPort!)).toBe(false);
  });
});
