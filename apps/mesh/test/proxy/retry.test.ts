/**
 * Retries through a real sidecar to real upstream apps, counted where they land: at the
 * upstream. Conditions are Envoy's x-envoy-retry-on
 * (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on),
 * configured the Istio way (VirtualService `retries`, numeric retryOn entries become
 * retriable_status_codes: pilot/pkg/networking/core/route/retry/retry.go).
 */
import { constants as http2Constants, createServer as createHttp2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  closeLater,
  send,
  serviceEntry,
  startSidecar,
  startSidecarPair,
  startUpstream,
  unusedPort,
  usingMesh,
  waitUntil,
  type TestSidecar,
  type Upstream,
  type UpstreamHandler,
} from "./harness.ts";

usingMesh();

const HOST = "reviews:9080";

type Retries = { attempts?: number; retryOn?: string; perTryTimeout?: string } | undefined;

/** ServiceEntry for `reviews` plus, when `retries` is not "no-vs", a VirtualService with that retry policy. */
function config(endpoints: number[], retries: Retries | "no-vs", lb?: "ROUND_ROBIN", protocol = "HTTP"): string {
  const docs = [serviceEntry("reviews", 9080, endpoints.map((port) => ({ port })), protocol)];
  if (retries !== "no-vs") {
    const route = { route: [{ destination: { host: "reviews" } }], ...(retries ? { retries } : {}) };
    docs.push(`apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec: ${JSON.stringify({ hosts: ["reviews"], http: [route] })}\n`);
  }
  if (lb) docs.push(`apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {host: reviews, trafficPolicy: {loadBalancer: {simple: ${lb}}}}\n`);
  return docs.join("---\n");
}

/** Answers `status` (with `headers`) to the first `times` requests, then 200; the body names the try. */
function failing(status: number, times = Infinity, headers: Record<string, string> = {}): UpstreamHandler {
  return (_req, res, n) => {
    res.writeHead(n <= times ? status : 200, { "content-type": "text/plain", ...(n <= times ? headers : {}) });
    res.end(`try ${n}`);
  };
}

/** Drops the connection without a response to the first `times` requests (a reset before headers). */
function resetting(times = Infinity): UpstreamHandler {
  return (_req, res, n) => {
    if (n <= times) return void res.socket?.destroy();
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`try ${n}`);
  };
}

/**
 * An h2c upstream that refuses its first `refusals` streams with RST_STREAM
 * REFUSED_STREAM (RFC 9113 §8.7: the request was not processed), then answers 200.
 * `streams` lists the x-envoy-attempt-count of every stream it saw.
 */
async function startHttp2Upstream(refusals: number): Promise<{ port: number; streams: string[] }> {
  const streams: string[] = [];
  const server = createHttp2Server();
  server.on("stream", (stream, headers) => {
    // Closing with an error code also reports it on our end of the stream.
    stream.on("error", () => undefined);
    streams.push(String(headers["x-envoy-attempt-count"]));
    if (streams.length <= refusals) return void stream.close(http2Constants.NGHTTP2_REFUSED_STREAM);
    stream.respond({ ":status": 200, "content-type": "text/plain" });
    stream.end(`stream ${streams.length}`);
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  closeLater(() => {
    // server.close() waits for every session; the sidecar's may still be open.
    for (const s of sessions) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, streams };
}

const attemptHeaders = (up: Upstream) => up.requests.map((r) => r.headers["x-envoy-attempt-count"]);

/** The access-log line of the last request, once written. */
async function lastLog(sidecar: TestSidecar): Promise<Record<string, unknown>> {
  await waitUntil(() => sidecar.accessLog.length > 0);
  return sidecar.accessLog.at(-1)!;
}

describe("retryOn conditions on upstream responses", () => {
  // [retryOn, status the upstream always answers, tries the upstream sees with attempts: 2]
  const table: [string, number, number][] = [
    ["5xx", 500, 3],
    ["5xx", 503, 3],
    ["5xx", 404, 1],
    // gateway-error is 502, 503 and 504 only.
    ["gateway-error", 502, 3],
    ["gateway-error", 503, 3],
    ["gateway-error", 504, 3],
    ["gateway-error", 500, 1],
    // retriable-4xx is 409 only.
    ["retriable-4xx", 409, 3],
    ["retriable-4xx", 429, 1],
    // Numeric entries become retriable_status_codes, as Istio writes them.
    ["429,418", 429, 3],
    ["429,418", 418, 3],
    ["429,418", 500, 1],
    ["retriable-status-codes,409", 409, 3],
    // retriable-status-codes without codes matches nothing.
    ["retriable-status-codes", 503, 1],
    // Conditions about connections never match a response.
    ["connect-failure,reset,refused-stream", 503, 1],
  ];

  it.each(table)("retryOn %s with a %i answer: the upstream sees %i tries", async (retryOn, status, tries) => {
    const app = await startUpstream("reviews", failing(status));
    const client = await startSidecar({ yaml: config([app.port], { attempts: 2, retryOn }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(status);
    expect(app.requests).toHaveLength(tries);
    expect(reply.text).toBe(`try ${tries}`);
    const log = await lastLog(client);
    expect(log.upstream_request_attempt_count).toBe(tries);
    // Envoy sets URX only when a retriable outcome met a spent budget.
    expect(log.response_flags).toBe(tries > 1 ? "URX" : "-");
  });

  it("makes exactly 1 + attempts tries, numbering each in x-envoy-attempt-count, and returns the last response flagged URX", async () => {
    const app = await startUpstream("reviews", failing(503));
    const client = await startSidecar({ yaml: config([app.port], { attempts: 4, retryOn: "5xx" }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(app.requests).toHaveLength(5);
    expect(attemptHeaders(app)).toEqual(["1", "2", "3", "4", "5"]);
    expect(reply.status).toBe(503);
    expect(reply.text).toBe("try 5");
    const log = await lastLog(client);
    expect(log).toMatchObject({ response_code: 503, response_flags: "URX", upstream_request_attempt_count: 5 });
  });

  it("stops at the first success and forwards it without a flag", async () => {
    const app = await startUpstream("reviews", failing(503, 2));
    const client = await startSidecar({ yaml: config([app.port], { attempts: 5, retryOn: "5xx" }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("try 3");
    expect(attemptHeaders(app)).toEqual(["1", "2", "3"]);
    const log = await lastLog(client);
    expect(log).toMatchObject({ response_code: 200, response_flags: "-", upstream_request_attempt_count: 3 });
  });

  it("resends the request body on every try", async () => {
    const app = await startUpstream("reviews", failing(503, 2));
    const client = await startSidecar({ yaml: config([app.port], { attempts: 2, retryOn: "5xx" }) });
    const reply = await send(client.ports.outbound, HOST, "/orders", { method: "POST", body: '{"id":7}', headers: { "content-type": "application/json" } });
    expect(reply.status).toBe(200);
    expect(app.requests.map((r) => `${r.method} ${r.path} ${r.body}`)).toEqual(Array(3).fill('POST /orders {"id":7}'));
  });

  it("retries a response marked x-envoy-ratelimited only under envoy-ratelimited", async () => {
    const limited = { "x-envoy-ratelimited": "true" };
    const app = await startUpstream("reviews", failing(429, 1, limited));
    const client = await startSidecar({ yaml: config([app.port], { attempts: 2, retryOn: "envoy-ratelimited" }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(200);
    expect(app.requests).toHaveLength(2);

    // Envoy never retries a rate-limited answer under any other condition, even one naming its status.
    const other = await startUpstream("reviews", failing(503, Infinity, limited));
    client.apply(config([other.port], { attempts: 2, retryOn: "5xx,503,gateway-error" }));
    const second = await send(client.ports.outbound, HOST);
    expect(second.status).toBe(503);
    expect(other.requests).toHaveLength(1);
  });
});

describe("retryOn conditions on connection failures", () => {
  it.each(["reset", "5xx", "gateway-error"])("retryOn %s retries an upstream that drops the connection before answering", async (retryOn) => {
    const app = await startUpstream("reviews", resetting(2));
    const client = await startSidecar({ yaml: config([app.port], { attempts: 2, retryOn }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("try 3");
    expect(attemptHeaders(app)).toEqual(["1", "2", "3"]);
  });

  it("answers 503 UC,URX once resets have used up the retries", async () => {
    const app = await startUpstream("reviews", resetting());
    const client = await startSidecar({ yaml: config([app.port], { attempts: 2, retryOn: "reset" }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(503);
    expect(app.requests).toHaveLength(3);
    const log = await lastLog(client);
    expect(log).toMatchObject({ response_code: 503, response_flags: "UC,URX", upstream_request_attempt_count: 3 });
  });

  // REFUSED_STREAM is an HTTP/2 RST_STREAM error code (RFC 9113 §8.7): an HTTP/1.1
  // upstream cannot send it, so over HTTP/1.1 refused-stream never covers a dropped
  // connection. (The HTTP/2 case is below.)
  it.each(["refused-stream", "retriable-4xx", "connect-failure"])("retryOn %s alone does not retry a dropped connection: 503 UC after one try", async (retryOn) => {
    const app = await startUpstream("reviews", resetting());
    const client = await startSidecar({ yaml: config([app.port], { attempts: 2, retryOn }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(503);
    expect(app.requests).toHaveLength(1);
    const log = await lastLog(client);
    expect(log).toMatchObject({ response_flags: "UC", upstream_request_attempt_count: 1 });
  });

  it("refused-stream retries a stream an HTTP/2 upstream refused (RST_STREAM REFUSED_STREAM), and nothing else does", async () => {
    const app = await startHttp2Upstream(2);
    const client = await startSidecar({ yaml: config([app.port], { attempts: 2, retryOn: "refused-stream" }, undefined, "HTTP2") });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(200);
    expect(app.streams).toEqual(["1", "2", "3"]);

    const other = await startHttp2Upstream(Infinity);
    client.apply(config([other.port], { attempts: 2, retryOn: "retriable-4xx,connect-failure" }, undefined, "HTTP2"));
    expect((await send(client.ports.outbound, HOST)).status).toBe(503);
    expect(other.streams).toEqual(["1"]);
    expect(await lastLog(client)).toMatchObject({ response_flags: "UR", upstream_request_attempt_count: 1 });
  });

  it("connect-failure retries an endpoint nobody listens on, until the budget is spent: 503 UF,URX", async () => {
    const dead = await unusedPort();
    const client = await startSidecar({ yaml: config([dead], { attempts: 2, retryOn: "connect-failure" }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(503);
    const log = await lastLog(client);
    expect(log).toMatchObject({ response_code: 503, response_flags: "UF,URX", upstream_request_attempt_count: 3 });
  });

  it("connect-failure moves a request off a dead endpoint to a live one, which sees the retry numbered 2", async () => {
    const dead = await unusedPort();
    const app = await startUpstream("reviews", failing(200));
    const client = await startSidecar({ yaml: config([dead, app.port], { attempts: 1, retryOn: "connect-failure" }, "ROUND_ROBIN") });
    for (let i = 0; i < 10; i++) expect((await send(client.ports.outbound, HOST)).status).toBe(200);
    expect(app.requests).toHaveLength(10);
    // Round robin alternates, and each retry takes the next host: after the first request
    // lands on the dead endpoint, every later one starts there too.
    expect(attemptHeaders(app).filter((a) => a === "2").length).toBeGreaterThanOrEqual(9);
  });

  it("without connect-failure (or 5xx, gateway-error, reset) a refused connection is answered 503 UF after one try", async () => {
    const dead = await unusedPort();
    const client = await startSidecar({ yaml: config([dead], { attempts: 2, retryOn: "retriable-4xx" }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(503);
    const log = await lastLog(client);
    expect(log).toMatchObject({ response_flags: "UF", upstream_request_attempt_count: 1 });
  });
});

describe("Istio's default retry policy (2 retries on connect-failure, refused-stream, unavailable, cancelled and 503)", () => {
  it.each([
    ["no VirtualService", "no-vs" as const],
    ["a VirtualService without retries", undefined],
  ])("with %s a 503 is tried three times", async (_name, retries) => {
    const app = await startUpstream("reviews", failing(503));
    const client = await startSidecar({ yaml: config([app.port], retries) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(503);
    expect(attemptHeaders(app)).toEqual(["1", "2", "3"]);
    expect((await lastLog(client)).response_flags).toBe("URX");
  });

  it.each([500, 502, 504])("does not retry a %i", async (status) => {
    const app = await startUpstream("reviews", failing(status));
    const client = await startSidecar({ yaml: config([app.port], undefined) });
    expect((await send(client.ports.outbound, HOST)).status).toBe(status);
    expect(app.requests).toHaveLength(1);
  });

  it("recovers from a 503 on the second try", async () => {
    const app = await startUpstream("reviews", failing(503, 1));
    const client = await startSidecar({ yaml: config([app.port], "no-vs") });
    expect((await send(client.ports.outbound, HOST)).status).toBe(200);
    expect(attemptHeaders(app)).toEqual(["1", "2"]);
  });

  it("retries a refused connection on another endpoint", async () => {
    const dead = await unusedPort();
    const app = await startUpstream("reviews", failing(200));
    const client = await startSidecar({ yaml: config([dead, app.port], "no-vs", "ROUND_ROBIN") });
    for (let i = 0; i < 6; i++) expect((await send(client.ports.outbound, HOST)).status).toBe(200);
    expect(app.requests).toHaveLength(6);
  });

  it("attempts: 0 turns retries off: one try and no URX", async () => {
    const app = await startUpstream("reviews", failing(503));
    const client = await startSidecar({ yaml: config([app.port], { attempts: 0 }) });
    expect((await send(client.ports.outbound, HOST)).status).toBe(503);
    expect(app.requests).toHaveLength(1);
    expect((await lastLog(client)).response_flags).toBe("-");
  });
});

describe("which endpoint a retry goes to", () => {
  // Istio adds Envoy's previous_hosts retry host predicate to every retry policy
  // (host_selection_retry_max_attempts 5), except by default for consistent-hash
  // destinations, where stickiness wins (pilot route/retry DefaultConsistentHashPolicy).
  it("avoids the endpoint that already failed (previous_hosts)", async () => {
    const bad = await startUpstream("bad", failing(503));
    const good = await startUpstream("good", failing(200));
    const client = await startSidecar({ yaml: config([bad.port, good.port], { attempts: 2, retryOn: "5xx" }) });
    for (let i = 0; i < 60; i++) await send(client.ports.outbound, HOST);
    // LEAST_REQUEST with both idle picks either endpoint at random. With the predicate a
    // retry lands on `bad` again only after six picks in a row chose it (1 in 64, so ~0.5
    // times here); without it, half of the ~30 retries would (> 4 sigma above 5).
    const badRetries = bad.requests.filter((r) => r.headers["x-envoy-attempt-count"] !== "1").length;
    expect(badRetries).toBeLessThanOrEqual(5);
    expect(good.requests.length).toBeGreaterThanOrEqual(55);
  });

  it("stays on the hashed endpoint for a consistent-hash destination", async () => {
    const a = await startUpstream("a", failing(503));
    const b = await startUpstream("b", failing(503));
    const yaml = `${config([a.port, b.port], { attempts: 2, retryOn: "5xx" })}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec: {host: reviews, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}}
`;
    const client = await startSidecar({ yaml });
    for (const user of ["alice", "bob", "carol", "dave"]) {
      const before = [a.requests.length, b.requests.length];
      expect((await send(client.ports.outbound, HOST, "/", { headers: { "x-user": user } })).status).toBe(503);
      const added = [a.requests.length - before[0]!, b.requests.length - before[1]!].sort();
      expect(added).toEqual([0, 3]);
    }
  });
});

describe("retries across two sidecars", () => {
  it("the client sidecar retries a 503 from the server's app over mTLS, and the app sees every try numbered", async () => {
    const app = await startUpstream("reviews-v1", failing(503, 2));
    const { client } = await startSidecarPair(app);
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(200);
    expect(attemptHeaders(app)).toEqual(["1", "2", "3"]);
    expect(await lastLog(client)).toMatchObject({ response_code: 200, response_flags: "-", upstream_request_attempt_count: 3 });
  });
});
