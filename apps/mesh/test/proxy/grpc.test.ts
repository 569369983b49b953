import type { IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import { describe, expect, it } from "vitest";
import { http2Client, http2Request, serviceEntry, startCa, startHttp2Upstream, startSidecar, usingMesh, workload, type Http2Reply } from "./harness.ts";

usingMesh();

// ---- a gRPC-shaped app and client over node:http2 ------------------------------------------
// gRPC over HTTP/2 (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md):
// content-type application/grpc, each message prefixed by a 1-byte compressed flag and a
// 4-byte big-endian length, status in trailers (grpc-status, grpc-message), or in the
// headers of a trailers-only response (one HEADERS frame with END_STREAM).

function frame(message: string): Buffer {
  const payload = Buffer.from(message);
  const out = Buffer.alloc(5 + payload.length);
  out.writeUInt8(0, 0);
  out.writeUInt32BE(payload.length, 1);
  payload.copy(out, 5);
  return out;
}

function unframe(buf: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + 5 <= buf.length; ) {
    const len = buf.readUInt32BE(at + 1);
    out.push(buf.subarray(at + 5, at + 5 + len).toString());
    at += 5 + len;
  }
  return out;
}

/** Answers with a message and `status` in trailers. */
function reply(stream: ServerHttp2Stream, message: string, status = 0, grpcMessage = ""): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": String(status), "grpc-message": grpcMessage, "x-app-trailer": "kept" }));
  stream.end(frame(message));
}

/** Fails fast: status in the headers, no body, no trailers. */
function trailersOnly(stream: ServerHttp2Stream, status: number, grpcMessage: string): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc", "grpc-status": String(status), "grpc-message": grpcMessage }, { endStream: true });
}

type GrpcHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, messages: string[], n: number) => void;

/** A gRPC app behind a server sidecar (port declared GRPC), and a client sidecar that knows it. */
async function grpcMesh(handler: GrpcHandler, extraYaml = "") {
  const app = await startHttp2Upstream((stream, headers, body, n) => handler(stream, headers, unframe(body), n));
  const ca = await startCa();
  const server = await startSidecar({
    yaml: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: echo-own}
spec:
  hosts: [echo.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 50051, name: grpc, protocol: GRPC}]
  workloadSelector: {labels: {app: echo}}
`,
    workload: workload("echo-v1", { app: "echo", version: "v1" }, "default", "echo"),
    certs: await ca.issue("default", "echo"),
    appPort: app.port,
    metrics: true,
  });
  const client = await startSidecar({
    yaml: serviceEntry("echo", 50051, [{ port: server.ports.inbound!, serviceAccount: "echo", labels: { app: "echo", version: "v1" } }], "GRPC") + extraYaml,
    workload: workload("caller-v1", { app: "caller", version: "v1" }, "default", "caller"),
    certs: await ca.issue("default", "caller"),
    metrics: true,
  });
  const session = http2Client(client.ports.outbound);
  const call = (message: string): Promise<Http2Reply> =>
    http2Request(session, { ":method": "POST", ":path": "/echo.Echo/Say", ":authority": "echo:50051", "content-type": "application/grpc", te: "trailers" }, frame(message));
  return { app, server, client, call };
}

const retryPolicy = (retryOn: string) => `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo}
spec:
  hosts: [echo]
  http:
  - route: [{destination: {host: echo}}]
    retries: {attempts: 2, retryOn: "${retryOn}"}
`;

describe("gRPC through two sidecars", () => {
  it("carries a unary call end to end: messages, and trailers (grpc-status, grpc-message, the app's own)", async () => {
    const { app, server, call } = await grpcMesh((stream, _h, messages) => reply(stream, `echo: ${messages[0]}`));
    const r = await call("hi");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/grpc");
    expect(unframe(r.body)).toEqual(["echo: hi"]);
    expect(r.trailers?.["grpc-status"]).toBe("0");
    expect(r.trailers?.["x-app-trailer"]).toBe("kept");
    // The app got an HTTP/2 gRPC request with TE: trailers, and the caller's identity.
    expect(app.requests[0]!["content-type"]).toBe("application/grpc");
    expect(app.requests[0]!.te).toBe("trailers");
    expect(String(app.requests[0]!["x-forwarded-client-cert"])).toContain("URI=spiffe://cluster.local/ns/default/sa/caller");
    expect(server.accessLog[0]!.protocol).toBe("HTTP/2");
  });

  it("relays a trailers-only response as one HEADERS frame with END_STREAM and grpc-status in it", async () => {
    const { call } = await grpcMesh((stream) => trailersOnly(stream, 5, "no such thing"));
    const r = await call("x");
    expect(r.endStream).toBe(true);
    expect(r.headers["grpc-status"]).toBe("5");
    expect(r.headers["grpc-message"]).toBe("no such thing");
    expect(r.body.length).toBe(0);
  });

  it("passes a non-OK grpc-status in trailers with its message", async () => {
    const { call } = await grpcMesh((stream) => reply(stream, "partial", 7, "denied by app"));
    const r = await call("x");
    expect(r.status).toBe(200);
    expect(r.trailers?.["grpc-status"]).toBe("7");
    expect(r.trailers?.["grpc-message"]).toBe("denied by app");
  });

  it("labels istio_requests_total with the trailers' grpc-status and request_protocol grpc on both sides", async () => {
    const { client, server, call } = await grpcMesh((stream) => reply(stream, "partial", 7, "denied"));
    await call("x");
    const source = await client.sidecar.metrics.metricsText();
    const destination = await server.sidecar.metrics.metricsText();
    const line = (text: string) => text.split("\n").find((l) => l.startsWith("istio_requests_total{"));
    expect(line(source)).toMatch(/reporter="source"/);
    expect(line(source)).toMatch(/grpc_response_status="7"/);
    expect(line(source)).toMatch(/request_protocol="grpc"/);
    expect(line(destination)).toMatch(/reporter="destination"/);
    expect(line(destination)).toMatch(/grpc_response_status="7"/);
    expect(line(destination)).toMatch(/request_protocol="grpc"/);
  });
});

describe("gRPC retry conditions (grpc-status in response headers, as Envoy reads them)", () => {
  it.each([
    ["cancelled", 1],
    ["deadline-exceeded", 4],
    ["resource-exhausted", 8],
    ["internal", 13],
    ["unavailable", 14],
  ])("retries a trailers-only grpc-status under retryOn %s", async (retryOn, code) => {
    const { app, client, call } = await grpcMesh((stream, _h, messages, n) => (n === 1 ? trailersOnly(stream, code, "try again") : reply(stream, `ok ${messages[0]}`)), retryPolicy(retryOn));
    const r = await call("again");
    expect(unframe(r.body)).toEqual(["ok again"]);
    expect(r.trailers?.["grpc-status"]).toBe("0");
    expect(app.requests).toHaveLength(2);
    expect(client.accessLog[0]!.upstream_request_attempt_count).toBe(2);
  });

  it("does not retry a grpc-status its retryOn does not name", async () => {
    const { app, call } = await grpcMesh((stream) => trailersOnly(stream, 13, "internal"), retryPolicy("unavailable"));
    const r = await call("x");
    expect(r.headers["grpc-status"]).toBe("13");
    expect(app.requests).toHaveLength(1);
  });

  it("does not retry a grpc-status that arrives in trailers: the response has started", async () => {
    const { app, call } = await grpcMesh((stream) => reply(stream, "partial", 14, "unavailable"), retryPolicy("unavailable"));
    const r = await call("x");
    expect(r.trailers?.["grpc-status"]).toBe("14");
    expect(app.requests).toHaveLength(1);
  });

  it("gives up after the attempts with the last trailers-only status, flagged URX", async () => {
    const { app, client, call } = await grpcMesh((stream) => trailersOnly(stream, 14, "down"), retryPolicy("unavailable"));
    const r = await call("x");
    expect(r.endStream).toBe(true);
    expect(r.headers["grpc-status"]).toBe("14");
    expect(app.requests).toHaveLength(3);
    expect(String(client.accessLog[0]!.response_flags)).toContain("URX");
  });
});
