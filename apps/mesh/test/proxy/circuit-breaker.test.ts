/**
 * Circuit breaking through a real sidecar: a DestinationRule connectionPool becomes
 * Envoy's cluster circuit breakers (max_connections, max_pending_requests, max_requests,
 * max_retries; https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking).
 * What overflows is answered 503 with flag UO and never retried. The upstream is slow so
 * that concurrent requests really overlap; counts, not times, are asserted.
 */
import { describe, expect, it } from "vitest";
import { send, serviceEntry, startSidecar, startUpstream, usingMesh, waitUntil, type Reply, type TestSidecar, type UpstreamHandler } from "./harness.ts";

usingMesh();

const HOST = "reviews:9080";
const OVERFLOW_TEXT = "upstream connect error or disconnect/reset before headers. reset reason: overflow";

function config(port: number, connectionPool: Record<string, unknown>, retries: Record<string, unknown> = { attempts: 3, retryOn: "5xx,reset,connect-failure,gateway-error" }): string {
  return `${serviceEntry("reviews", 9080, [{ port }])}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec: ${JSON.stringify({ hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" } }], retries }] })}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec: ${JSON.stringify({ host: "reviews", trafficPolicy: { connectionPool } })}
`;
}

/** Answers `status` after `ms`, naming the request number and the client port it came on. */
function slow(ms: number, status = 200): UpstreamHandler {
  return async (_req, res, n) => {
    const port = res.socket?.remotePort;
    if (ms > 0) await new Promise((d) => setTimeout(d, ms));
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(`try ${n} from ${port}`);
  };
}

const fire = (client: TestSidecar, n: number): Promise<Reply[]> => Promise.all(Array.from({ length: n }, () => send(client.ports.outbound, HOST)));

async function logs(client: TestSidecar, n: number): Promise<Record<string, unknown>[]> {
  await waitUntil(() => client.accessLog.length >= n);
  return client.accessLog;
}

describe("connection pool limits", () => {
  it("with maxConnections 1 and http1MaxPendingRequests 1, requests beyond one in flight and one waiting get 503 UO and are not retried", async () => {
    const app = await startUpstream("reviews", slow(600));
    const client = await startSidecar({ yaml: config(app.port, { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } }), metrics: true });
    const replies = await fire(client, 4);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 503, 503]);
    expect(replies.filter((r) => r.status === 503).map((r) => r.text)).toEqual([OVERFLOW_TEXT, OVERFLOW_TEXT]);
    // One connection: the waiting request went over it after the first.
    expect(app.requests).toHaveLength(2);
    const overflowed = (await logs(client, 4)).filter((l) => l.response_code === 503);
    expect(overflowed.map((l) => [l.response_flags, l.upstream_request_attempt_count])).toEqual([
      ["UO", 1],
      ["UO", 1],
    ]);
    expect(await client.sidecar.metrics.metricsText()).toMatch(/skein_proxy_overflows_total\{[^}]*\} 2/);
    expect(await client.sidecar.metrics.metricsText()).not.toMatch(/skein_proxy_retries_total\{[^}]*\} [1-9]/);
  });

  it("a waiting request leaves the queue when it gets the connection, making room for the next", async () => {
    const app = await startUpstream("reviews", slow(600));
    const client = await startSidecar({ yaml: config(app.port, { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } }) });
    const first = send(client.ports.outbound, HOST);
    const second = send(client.ports.outbound, HOST);
    expect((await first).status).toBe(200);
    // The second now holds the connection for 600 ms and nothing waits: Envoy queues a third.
    const third = await Promise.all([second, send(client.ports.outbound, HOST)]);
    expect(third.map((r) => r.status)).toEqual([200, 200]);
    expect(app.requests).toHaveLength(3);
  });

  it("with http2MaxRequests 2, requests beyond two in flight get 503 UO", async () => {
    const app = await startUpstream("reviews", slow(600));
    const client = await startSidecar({ yaml: config(app.port, { http: { http2MaxRequests: 2 } }) });
    const replies = await fire(client, 5);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 503, 503, 503]);
    expect(app.requests).toHaveLength(2);
    const flags = (await logs(client, 5)).map((l) => l.response_flags).sort();
    expect(flags).toEqual(["-", "-", "UO", "UO", "UO"]);
  });

  it("with maxRetries 1, only one of several failing requests is retried at a time; the others keep their 503 flagged UO", async () => {
    const app = await startUpstream("reviews", slow(300, 503));
    const client = await startSidecar({ yaml: config(app.port, { http: { maxRetries: 1 } }, { attempts: 1, retryOn: "5xx" }) });
    const replies = await fire(client, 3);
    expect(replies.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(app.requests).toHaveLength(4);
    const flags = (await logs(client, 3)).map((l) => `${String(l.response_flags)} ${String(l.upstream_request_attempt_count)}`).sort();
    expect(flags).toEqual(["UO 1", "UO 1", "URX 2"]);
  });

  it.each([
    [1, 6],
    [2, 3],
    [3, 2],
  ])("maxRequestsPerConnection %i spreads 6 requests over %i upstream connections", async (perConnection, expected) => {
    const app = await startUpstream("reviews", slow(0));
    let connections = 0;
    app.server.on("connection", () => connections++);
    const client = await startSidecar({ yaml: config(app.port, { http: { maxRequestsPerConnection: perConnection } }) });
    for (let i = 0; i < 6; i++) expect((await send(client.ports.outbound, HOST)).status).toBe(200);
    expect(connections).toBe(expected);
  });

  it("reuses one keep-alive connection when maxRequestsPerConnection is unset", async () => {
    const app = await startUpstream("reviews", slow(0));
    let connections = 0;
    app.server.on("connection", () => connections++);
    const client = await startSidecar({ yaml: config(app.port, { tcp: { connectTimeout: "5s" } }) });
    for (let i = 0; i < 6; i++) expect((await send(client.ports.outbound, HOST)).status).toBe(200);
    expect(connections).toBe(1);
  });
});
