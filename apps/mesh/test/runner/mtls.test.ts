/**
 * STRICT mutual TLS between the sidecars `skein up` starts: each holds a certificate the
 * control plane's CA issued for its SPIFFE identity; peers prove theirs; a plaintext
 * request, or a TLS client without a mesh certificate, reaches no app.
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:tls";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { ECHO_MESH, STRICT_MTLS, type EchoReply } from "./echo-mesh.ts";
import { usingSkeinUp } from "./skein-up.ts";

const startMesh = usingSkeinUp();

interface TlsAttempt {
  /** The server's leaf certificate, when the handshake got that far. */
  leaf?: X509Certificate;
  /** Whether the server's chain verified against the CA we gave. */
  authorized: boolean;
  /** What came back for a plain GET over the connection ("" if nothing). */
  response: string;
  error?: string;
}

/** A TLS client that trusts `ca` but presents no certificate, sends one GET and reads until the server closes. */
function tlsWithoutClientCert(port: number, ca: string): Promise<TlsAttempt> {
  return new Promise((resolve) => {
    const out: TlsAttempt = { authorized: false, response: "" };
    // The leaf has no DNS SAN (a SPIFFE URI only): the caller checks the URI itself, as sidecars do.
    const socket = connect({ host: "127.0.0.1", port, ca, checkServerIdentity: () => undefined, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] });
    const finish = () => resolve(out);
    socket.setTimeout(5000, () => socket.destroy(new Error("timed out")));
    socket.once("secureConnect", () => {
      const peer = socket.getPeerX509Certificate();
      if (peer) out.leaf = peer;
      out.authorized = socket.authorized;
      socket.write("GET /from-outside HTTP/1.1\r\nhost: echo:8080\r\nconnection: close\r\n\r\n");
    });
    socket.on("data", (c: Buffer) => (out.response += c.toString()));
    socket.once("error", (e) => (out.error = e.message));
    socket.once("close", finish);
  });
}

describe("STRICT mTLS between the mesh's sidecars", () => {
  it("sidecars talk with CA-issued SPIFFE identities; plaintext and certificate-less callers are refused", { timeout: 90_000 }, async () => {
    const { mesh } = await startMesh({ yaml: ECHO_MESH + STRICT_MTLS });
    const echo = mesh.workload("echo-v1");

    // Mesh traffic flows, and echo's sidecar saw the client's identity from its certificate.
    const [curled, config] = await Promise.all([mesh.skein("curl", "client", "-n", "demo", "http://echo:8080/inside"), mesh.skein("proxy-config", "echo-v1", "-n", "demo")]);
    expect(curled.code, curled.stderr).toBe(0);
    const reply = JSON.parse(curled.stdout) as EchoReply;
    expect(reply.workload).toBe("echo-v1");
    expect(reply.headers["x-forwarded-client-cert"]).toMatch(/^By=spiffe:\/\/cluster\.local\/ns\/demo\/sa\/echo;Hash=[0-9a-f]{64};Subject="";URI=spiffe:\/\/cluster\.local\/ns\/demo\/sa\/client$/);
    expect(config.stdout).toMatch(/^INBOUND {2}mTLS STRICT$/m);

    // A plaintext request straight to echo's inbound port never reaches the app.
    let plaintext: string;
    try {
      const r = await request(`http://127.0.0.1:${echo.ports.inbound}/from-outside`, { headers: { host: "echo:8080" }, signal: AbortSignal.timeout(5000) });
      plaintext = `status ${r.statusCode}: ${await r.body.text()}`;
    } catch (e) {
      plaintext = `refused: ${(e as Error).message}`;
    }
    // Like Envoy's STRICT listener: no TLS, no answer; the connection is closed.
    expect(plaintext).toMatch(/^refused: /);

    // Over TLS, echo's sidecar shows a leaf the mesh CA signed for its SPIFFE identity, but without a client certificate it answers nothing.
    const root = readFileSync(join(mesh.stateDir, "root-cert.pem"), "utf8");
    const attempt = await tlsWithoutClientCert(echo.ports.inbound, root);
    expect(attempt.authorized).toBe(true);
    expect(attempt.leaf?.subjectAltName).toBe("URI:spiffe://cluster.local/ns/demo/sa/echo");
    expect(attempt.leaf?.verify(new X509Certificate(root).publicKey)).toBe(true);
    expect(attempt.error).toMatch(/certificate required/);
    expect(attempt.response).toBe("");
  });
});
