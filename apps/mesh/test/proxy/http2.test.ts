import { constants } from "node:http2";
import { describe, expect, it } from "vitest";
import { http2Client, http2Request, send, serviceEntry, startCa, startHttp2Upstream, startSidecar, startUpstream, usingMesh, workload } from "./harness.ts";

usingMesh();

/** A ServiceEntry for the server's own service, selecting its workload, so its inbound listener knows the port's protocol. */
function ownService(host: string, port: number, protocol: string, app: string): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${host}-own}
spec:
  hosts: [${host}.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: ${port}, name: p, protocol: ${protocol}}]
  workloadSelector: {labels: {app: ${app}}}
`;
}

async function meshTo(appPort: number, protocol: string, opts: { declareServerPort: boolean; serverProtocol?: string }) {
  const ca = await startCa();
  const server = await startSidecar({
    yaml: opts.declareServerPort ? ownService("api", 8080, opts.serverProtocol ?? protocol, "api") : serviceEntry("api", 8080, [{ port: 1 }], protocol),
    workload: workload("api-v1", { app: "api", version: "v1" }, "default", "api"),
    certs: await ca.issue("default", "api"),
    appPort,
  });
  const client = await startSidecar({
    yaml: serviceEntry("api", 8080, [{ port: server.ports.inbound!, serviceAccount: "api", labels: { app: "api", version: "v1" } }], protocol),
    workload: workload("web-v1", { app: "web", version: "v1" }, "default", "web"),
    certs: await ca.issue("default", "web"),
  });
  return { server, client };
}

describe("HTTP/2 downstream", () => {
  it("serves HTTP/1.1 and h2c with prior knowledge on the same outbound port, through the same routes", async () => {
    const app = await startUpstream("api");
    const client = await startSidecar({
      yaml: `${serviceEntry("api", 8080, [{ port: app.port }])}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api}
spec:
  hosts: [api]
  http:
  - headers: {response: {set: {x-routed: "yes"}}}
    route: [{destination: {host: api}}]
`,
    });
    const h1 = await send(client.ports.outbound, "api:8080", "/one");
    const h2 = await http2Request(http2Client(client.ports.outbound), { ":method": "GET", ":path": "/two", ":authority": "api:8080" });
    expect(h1.status).toBe(200);
    expect(h1.headers["x-routed"]).toBe("yes");
    expect(h2.status).toBe(200);
    expect(h2.headers["x-routed"]).toBe("yes");
    expect(JSON.parse(h2.body.toString()).path).toBe("/two");
    expect(client.accessLog.map((l) => l.protocol)).toEqual(["HTTP/1.1", "HTTP/2"]);
  });

  it("answers an h2c request for an unknown host 404 NR on its own stream, and the connection stays usable", async () => {
    const app = await startUpstream("api");
    const client = await startSidecar({ yaml: serviceEntry("api", 8080, [{ port: app.port }]) });
    const session = http2Client(client.ports.outbound);
    const [missing, ok] = await Promise.all([
      http2Request(session, { ":method": "GET", ":path": "/", ":authority": "nowhere:1" }),
      http2Request(session, { ":method": "GET", ":path": "/", ":authority": "api:8080" }),
    ]);
    expect(missing.status).toBe(404);
    expect(ok.status).toBe(200);
    expect(client.accessLog.find((l) => l.authority === "nowhere:1")?.response_flags).toBe("NR");
  });
});

describe("HTTP/2 between sidecars", () => {
  it("multiplexes requests of an http2 cluster over h2 (ALPN, mTLS) and reaches the app over h2c", async () => {
    const app = await startHttp2Upstream((stream, headers) => {
      stream.respond({ ":status": 200, "content-type": "text/plain", "x-seen-xfcc": String(headers["x-forwarded-client-cert"] ?? "") });
      stream.end(`hello ${headers[":path"]}`);
    });
    const { server, client } = await meshTo(app.port, "HTTP2", { declareServerPort: true });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => send(client.ports.outbound, "api:8080", `/r${i}`)));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(replies[3]!.text).toBe("hello /r3");
    expect(String(replies[0]!.headers["x-seen-xfcc"])).toContain("URI=spiffe://cluster.local/ns/default/sa/web");
    // One connection from the server sidecar to the app carried all twenty streams.
    expect(app.sessions()).toBe(1);
    expect(server.accessLog).toHaveLength(20);
    expect(new Set(server.accessLog.map((l) => l.protocol))).toEqual(new Set(["HTTP/2"]));
  });

  it("speaks the downstream's protocol to the app when the server does not declare the port (Istio's sniffed ports)", async () => {
    const app = await startHttp2Upstream((stream) => {
      stream.respond({ ":status": 200 });
      stream.end("h2c");
    });
    const { client } = await meshTo(app.port, "HTTP2", { declareServerPort: false });
    const reply = await send(client.ports.outbound, "api:8080", "/");
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("h2c");
  });

  it("reaches an app whose port is declared HTTP2 over h2c even when the caller's sidecar spoke HTTP/1.1", async () => {
    const app = await startHttp2Upstream((stream, headers) => {
      stream.respond({ ":status": 200 });
      stream.end(`h2c ${headers["x-custom"]}`);
    });
    const { server, client } = await meshTo(app.port, "HTTP", { declareServerPort: true, serverProtocol: "HTTP2" });
    const reply = await send(client.ports.outbound, "api:8080", "/", { headers: { "x-custom": "kept", connection: "keep-alive" } });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("h2c kept");
    expect(server.accessLog[0]!.protocol).toBe("HTTP/1.1");
  });

  it("keeps HTTP/1.1 between sidecars for an http cluster (the peer's ALPN offers h2, the pool asks for http/1.1)", async () => {
    const app = await startUpstream("api");
    const { server, client } = await meshTo(app.port, "HTTP", { declareServerPort: true });
    const reply = await send(client.ports.outbound, "api:8080", "/");
    expect(reply.status).toBe(200);
    expect(server.accessLog[0]!.protocol).toBe("HTTP/1.1");
  });
});

describe("HTTP/2 stream errors", () => {
  it("fails only the stream the upstream resets (503 UR); the other streams on that connection succeed", async () => {
    const app = await startHttp2Upstream((stream, headers) => {
      if (headers[":path"] === "/reset") return void stream.close(constants.NGHTTP2_INTERNAL_ERROR);
      stream.respond({ ":status": 200 });
      stream.end("ok");
    });
    // No sidecar behind the endpoint: the client sidecar speaks h2c to the app itself.
    const client = await startSidecar({ yaml: serviceEntry("api", 8080, [{ port: app.port }], "HTTP2") });
    const replies = await Promise.all(["/a", "/reset", "/b", "/c"].map((p) => send(client.ports.outbound, "api:8080", p)));
    expect(replies.map((r) => r.status)).toEqual([200, 503, 200, 200]);
    expect(client.accessLog.find((l) => l.path === "/reset")?.response_flags).toBe("UR");
    expect(app.sessions()).toBe(1);
  });

  it("retries a refused stream under reset-before-request: the upstream never processed it", async () => {
    const app = await startHttp2Upstream((stream, _headers, _body, n) => {
      if (n === 1) return void stream.close(constants.NGHTTP2_REFUSED_STREAM);
      stream.respond({ ":status": 200 });
      stream.end("second try");
    });
    const client = await startSidecar({
      yaml: `${serviceEntry("api", 8080, [{ port: app.port }], "HTTP2")}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api}
spec:
  hosts: [api]
  http:
  - route: [{destination: {host: api}}]
    retries: {attempts: 2, retryOn: reset-before-request}
`,
    });
    const reply = await send(client.ports.outbound, "api:8080", "/");
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("second try");
    expect(app.requests).toHaveLength(2);
    expect(client.accessLog[0]!.upstream_request_attempt_count).toBe(2);
  });

  it("answers 503 UF when the h2 upstream cannot be reached", async () => {
    const app = await startHttp2Upstream(() => undefined);
    const port = app.port;
    await app.close();
    const client = await startSidecar({ yaml: serviceEntry("api", 8080, [{ port }], "HTTP2") });
    const reply = await send(client.ports.outbound, "api:8080", "/");
    expect(reply.status).toBe(503);
    expect(String(client.accessLog[0]!.response_flags)).toContain("UF");
  });
});
