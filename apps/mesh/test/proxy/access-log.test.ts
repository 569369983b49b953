/**
 * The JSON access log, one line per request on each sidecar, with Envoy's response flags
 * for the failures a sidecar answers itself, and the request headers Envoy manages:
 * x-request-id (kept, or generated) and x-envoy-upstream-service-time.
 * https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage
 */
import { describe, expect, it } from "vitest";
import { send, serviceEntry, startSidecar, startSidecarPair, startUpstream, unusedPort, usingMesh } from "./harness.ts";

usingMesh();

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FQDN = "reviews.default.svc.cluster.local";

function virtualService(http: string): string {
  return `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
${http}`;
}

describe("response flags", () => {
  it("NR: no virtual host for the Host header, or no route matching the request, is 404", async () => {
    const app = await startUpstream("reviews");
    const client = await startSidecar({ yaml: serviceEntry("reviews", 9080, [{ port: app.port }]) + virtualService(`  - match: [{uri: {prefix: /api}}]\n    route: [{destination: {host: reviews}}]\n`) });
    const unknownHost = await send(client.ports.outbound, "nowhere.example:8080", "/");
    expect(unknownHost.status).toBe(404);
    const noRoute = await send(client.ports.outbound, "reviews:9080", "/other");
    expect(noRoute.status).toBe(404);
    expect(client.accessLog).toMatchObject([
      { authority: "nowhere.example:8080", path: "/", response_code: 404, response_flags: "NR", upstream_cluster: null, upstream_host: null },
      { authority: "reviews:9080", path: "/other", response_code: 404, response_flags: "NR", upstream_host: null },
    ]);
    expect(app.requests).toEqual([]);
  });

  it("UH: a service with no endpoint is 503 no healthy upstream", async () => {
    const client = await startSidecar({
      yaml: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews}
spec:
  hosts: [${FQDN}]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
  endpoints: []
`,
    });
    const reply = await send(client.ports.outbound, "reviews:9080", "/");
    expect(reply.status).toBe(503);
    expect(reply.text).toBe("no healthy upstream");
    expect(client.accessLog.at(-1)).toMatchObject({ response_code: 503, response_flags: "UH", upstream_cluster: `outbound|9080||${FQDN}`, upstream_host: null });
  });

  it("UF: an endpoint that refuses the connection is 503 connection failure", async () => {
    const port = await unusedPort();
    // No retries, so the line shows the connection failure alone.
    const client = await startSidecar({ yaml: serviceEntry("reviews", 9080, [{ port }]) + virtualService(`  - route: [{destination: {host: reviews}}]\n    retries: {attempts: 0}\n`) });
    const reply = await send(client.ports.outbound, "reviews:9080", "/");
    expect(reply.status).toBe(503);
    expect(reply.text).toContain("reset reason: connection failure");
    expect(client.accessLog.at(-1)).toMatchObject({ response_code: 503, response_flags: "UF", upstream_host: `127.0.0.1:${port}`, upstream_cluster: `outbound|9080||${FQDN}` });
  });

  it("UT: the route timeout firing before the response is 504 upstream request timeout", async () => {
    const app = await startUpstream("slow");
    const client = await startSidecar({ yaml: serviceEntry("reviews", 9080, [{ port: app.port }]) + virtualService(`  - route: [{destination: {host: reviews}}]\n    timeout: 200ms\n`) });
    const reply = await send(client.ports.outbound, "reviews:9080", "/?delay=1500");
    expect(reply.status).toBe(504);
    expect(reply.text).toBe("upstream request timeout");
    expect(client.accessLog.at(-1)).toMatchObject({ response_code: 504, response_flags: "UT", upstream_cluster: `outbound|9080||${FQDN}` });
  });

  it("no flag on a served request: the line describes the hop", async () => {
    const app = await startUpstream("reviews");
    const client = await startSidecar({ yaml: serviceEntry("reviews", 9080, [{ port: app.port }]) });
    const reply = await send(client.ports.outbound, "reviews:9080", "/reviews/1", { method: "POST", body: "hello", headers: { "user-agent": "skein-test" } });
    expect(reply.status).toBe(200);
    const line = client.accessLog.at(-1)!;
    expect(line).toMatchObject({
      method: "POST",
      path: "/reviews/1",
      protocol: "HTTP/1.1",
      response_code: 200,
      response_flags: "-",
      bytes_received: 5,
      bytes_sent: reply.text.length,
      user_agent: "skein-test",
      authority: "reviews:9080",
      upstream_host: `127.0.0.1:${app.port}`,
      upstream_cluster: `outbound|9080||${FQDN}`,
      upstream_request_attempt_count: 1,
    });
    expect(new Date(String(line.start_time)).toISOString()).toBe(line.start_time);
    expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(line.upstream_service_time).toMatch(/^\d+$/);
  });
});

describe("request headers Envoy manages", () => {
  async function pair() {
    const app = await startUpstream("reviews-v1");
    const { server, client } = await startSidecarPair(app);
    return { app, server, client };
  }

  it("generates x-request-id when the request has none, and both sidecars log the same id", async () => {
    const { app, server, client } = await pair();
    expect((await send(client.ports.outbound, "reviews:9080", "/a")).status).toBe(200);
    expect((await send(client.ports.outbound, "reviews:9080", "/b")).status).toBe(200);
    const ids = app.requests.map((r) => String(r.headers["x-request-id"]));
    expect(ids[0]).toMatch(UUID_V4);
    expect(ids[1]).toMatch(UUID_V4);
    expect(ids[0]).not.toBe(ids[1]);
    expect(client.accessLog.map((l) => l.request_id)).toEqual(ids);
    expect(server.accessLog.map((l) => l.request_id)).toEqual(ids);
  });

  it("keeps the x-request-id the caller sent", async () => {
    const { app, server, client } = await pair();
    expect((await send(client.ports.outbound, "reviews:9080", "/", { headers: { "x-request-id": "req-42" } })).status).toBe(200);
    expect(app.requests[0]!.headers["x-request-id"]).toBe("req-42");
    expect(client.accessLog.at(-1)!.request_id).toBe("req-42");
    expect(server.accessLog.at(-1)!.request_id).toBe("req-42");
  });

  it("returns x-envoy-upstream-service-time, which the access log records too", async () => {
    const { server, client } = await pair();
    const reply = await send(client.ports.outbound, "reviews:9080", "/?delay=100");
    expect(reply.status).toBe(200);
    const header = String(reply.headers["x-envoy-upstream-service-time"]);
    expect(header).toMatch(/^\d+$/);
    expect(Number(header)).toBeGreaterThanOrEqual(90);
    expect(client.accessLog.at(-1)!.upstream_service_time).toBe(header);
    expect(Number(server.accessLog.at(-1)!.upstream_service_time)).toBeGreaterThanOrEqual(90);
  });

  it("logs the caller's identity and the inbound cluster on the server", async () => {
    const { server, client } = await pair();
    expect((await send(client.ports.outbound, "reviews:9080", "/reviews/1")).status).toBe(200);
    expect(server.accessLog.at(-1)).toMatchObject({
      path: "/reviews/1",
      response_code: 200,
      response_flags: "-",
      authority: "reviews:9080",
      downstream_peer_uri_san: "spiffe://cluster.local/ns/default/sa/productpage",
    });
    expect(String(server.accessLog.at(-1)!.upstream_cluster)).toMatch(/^inbound\|/);
    expect(server.accessLog.at(-1)!.trace_id).toBe(client.accessLog.at(-1)!.trace_id);
  });
});
