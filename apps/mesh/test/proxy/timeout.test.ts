/**
 * Route timeouts and per-try timeouts through a real sidecar. Asserted by status, flags
 * and tries counted at the upstream, never by elapsed time; the slow upstream is slower
 * than every timeout by a wide margin. Envoy's rules: the route timeout covers all
 * retries (https://www.envoyproxy.io/docs/envoy/latest/faq/configuration/timeouts#route-timeouts),
 * a per-try timeout is a reset that retryOn 5xx, gateway-error or reset may retry
 * (router.cc onPerTryTimeoutCommon), and Istio sets no route timeout unless asked.
 */
import { describe, expect, it } from "vitest";
import { send, serviceEntry, startSidecar, startUpstream, usingMesh, waitUntil, type TestSidecar, type Upstream, type UpstreamHandler } from "./harness.ts";

usingMesh();

const HOST = "reviews:9080";
/** Far longer than any timeout below. */
const SLOW_MS = 1_500;

function config(port: number, route: { timeout?: string; retries?: Record<string, unknown> }): string {
  const http = [{ route: [{ destination: { host: "reviews" } }], ...route }];
  return `${serviceEntry("reviews", 9080, [{ port }])}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec: ${JSON.stringify({ hosts: ["reviews"], http })}
`;
}

/** Answers 200 after `delayMs(n)` for the n-th request (1-based). */
function slow(delayMs: (n: number) => number, status = 200): UpstreamHandler {
  return async (_req, res, n) => {
    const ms = delayMs(n);
    if (ms > 0) await new Promise((d) => setTimeout(d, ms));
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(`try ${n}`);
  };
}

const attemptHeaders = (up: Upstream) => up.requests.map((r) => r.headers["x-envoy-attempt-count"]);

async function lastLog(sidecar: TestSidecar): Promise<Record<string, unknown>> {
  await waitUntil(() => sidecar.accessLog.length > 0);
  return sidecar.accessLog.at(-1)!;
}

describe("route timeout", () => {
  it("answers 504 UT when the upstream is slower than the route timeout", async () => {
    const app = await startUpstream("reviews", slow(() => SLOW_MS));
    const client = await startSidecar({ yaml: config(app.port, { timeout: "200ms" }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(504);
    expect(reply.text).toBe("upstream request timeout");
    expect(app.requests).toHaveLength(1);
    expect(await lastLog(client)).toMatchObject({ response_code: 504, response_flags: "UT" });
  });

  it("cuts a response whose body is still streaming when the route timeout fires, logged UT", async () => {
    const app = await startUpstream("reviews", async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first part;");
      await new Promise((d) => setTimeout(d, SLOW_MS));
      if (!res.destroyed) res.end("second part");
    });
    const client = await startSidecar({ yaml: config(app.port, { timeout: "200ms" }) });
    // Envoy's route timeout runs until the response is complete; once headers went
    // downstream it can only reset the stream, so the client sees a truncated body.
    await expect(send(client.ports.outbound, HOST)).rejects.toThrow();
    expect(await lastLog(client)).toMatchObject({ response_code: 200, response_flags: "UT" });
  });

  it("also cuts a streaming body when a per-try timeout is set, on a retried attempt", async () => {
    // Try 1 times out (per-try 250 ms); try 2 starts ~250 ms in and sends its headers at
    // once, so the 400 ms route timeout fires while its body streams, before try 2's own
    // per-try timeout (~500 ms).
    const app = await startUpstream("reviews", async (_req, res, n) => {
      if (n === 1) await new Promise((d) => setTimeout(d, SLOW_MS));
      if (res.destroyed) return;
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first part;");
      await new Promise((d) => setTimeout(d, SLOW_MS));
      if (!res.destroyed) res.end("second part");
    });
    const client = await startSidecar({ yaml: config(app.port, { timeout: "400ms", retries: { attempts: 2, perTryTimeout: "250ms", retryOn: "reset" } }) });
    await expect(send(client.ports.outbound, HOST)).rejects.toThrow();
    expect(app.requests).toHaveLength(2);
    expect(await lastLog(client)).toMatchObject({ response_code: 200, response_flags: "UT", upstream_request_attempt_count: 2 });
  });

  it("lets a response within the timeout through", async () => {
    const app = await startUpstream("reviews", slow(() => 0));
    const client = await startSidecar({ yaml: config(app.port, { timeout: "5s" }) });
    expect((await send(client.ports.outbound, HOST)).status).toBe(200);
    expect((await lastLog(client)).response_flags).toBe("-");
  });

  it("has no timeout unless the route sets one (Istio's default)", async () => {
    const app = await startUpstream("reviews", slow(() => 800));
    const client = await startSidecar({ yaml: config(app.port, {}) });
    expect((await send(client.ports.outbound, HOST)).status).toBe(200);
  });

  it("covers every retry: slow tries under a per-try timeout end in 504 UT (not URX) when the route timeout fires first", async () => {
    const app = await startUpstream("reviews", slow(() => SLOW_MS));
    const client = await startSidecar({ yaml: config(app.port, { timeout: "500ms", retries: { attempts: 5, perTryTimeout: "200ms", retryOn: "5xx" } }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(504);
    // Each try lasts 200 ms, so a fourth could only start after the 500 ms route timeout.
    expect(app.requests.length).toBeGreaterThanOrEqual(2);
    expect(app.requests.length).toBeLessThanOrEqual(3);
    expect(await lastLog(client)).toMatchObject({ response_code: 504, response_flags: "UT" });
  });

  it("covers every retry: fast 503s retried many times end in 504 UT when the route timeout fires", async () => {
    const app = await startUpstream("reviews", slow(() => 100, 503));
    const client = await startSidecar({ yaml: config(app.port, { timeout: "400ms", retries: { attempts: 50, retryOn: "5xx" } }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(504);
    // Every try takes at least 100 ms: at most 4 start within 400 ms (5 if a timer is late).
    expect(app.requests.length).toBeGreaterThanOrEqual(2);
    expect(app.requests.length).toBeLessThanOrEqual(5);
    expect(await lastLog(client)).toMatchObject({ response_code: 504, response_flags: "UT" });
  });
});

describe("per-try timeout", () => {
  it("answers 504 UT,URX when every try times out, after exactly 1 + attempts tries", async () => {
    const app = await startUpstream("reviews", slow(() => SLOW_MS));
    const client = await startSidecar({ yaml: config(app.port, { retries: { attempts: 2, perTryTimeout: "200ms", retryOn: "5xx" } }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(504);
    expect(attemptHeaders(app)).toEqual(["1", "2", "3"]);
    expect(await lastLog(client)).toMatchObject({ response_code: 504, response_flags: "UT,URX", upstream_request_attempt_count: 3 });
  });

  it("succeeds when a later try is fast", async () => {
    const app = await startUpstream("reviews", slow((n) => (n === 1 ? SLOW_MS : 0)));
    const client = await startSidecar({ yaml: config(app.port, { retries: { attempts: 2, perTryTimeout: "200ms", retryOn: "reset" } }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("try 2");
    expect(attemptHeaders(app)).toEqual(["1", "2"]);
    expect(await lastLog(client)).toMatchObject({ response_code: 200, response_flags: "-", upstream_request_attempt_count: 2 });
  });

  // Envoy's per_try_timeout has "the same conditions" as the route timeout: it runs until
  // the response is complete. Once headers went downstream the attempt cannot be retried,
  // so a body slower than the per-try timeout is cut and logged UT.
  it("runs until the response is complete: a body slower than it is cut, without a retry", async () => {
    const app = await startUpstream("reviews", async (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first part;");
      await new Promise((d) => setTimeout(d, SLOW_MS));
      if (!res.destroyed) res.end("second part");
    });
    const client = await startSidecar({ yaml: config(app.port, { retries: { attempts: 2, perTryTimeout: "200ms", retryOn: "5xx,reset" } }) });
    await expect(send(client.ports.outbound, HOST)).rejects.toThrow();
    expect(app.requests).toHaveLength(1);
    expect(await lastLog(client)).toMatchObject({ response_code: 200, response_flags: "UT", upstream_request_attempt_count: 1 });
  });

  it.each(["gateway-error", "reset"])("is retried under retryOn %s", async (retryOn) => {
    const app = await startUpstream("reviews", slow((n) => (n <= 2 ? SLOW_MS : 0)));
    const client = await startSidecar({ yaml: config(app.port, { retries: { attempts: 2, perTryTimeout: "200ms", retryOn } }) });
    expect((await send(client.ports.outbound, HOST)).status).toBe(200);
    expect(attemptHeaders(app)).toEqual(["1", "2", "3"]);
  });

  // A common Istio surprise: retries with a perTryTimeout but no retryOn keep Istio's
  // default conditions (connect-failure, refused-stream, unavailable, cancelled, 503),
  // none of which covers a timed-out try.
  it.each([
    ["Istio's default retryOn", undefined],
    ["retryOn connect-failure,retriable-4xx", "connect-failure,retriable-4xx"],
  ])("is not retried under %s: 504 UT after one try", async (_name, retryOn) => {
    const app = await startUpstream("reviews", slow(() => SLOW_MS));
    const client = await startSidecar({ yaml: config(app.port, { retries: { attempts: 2, perTryTimeout: "200ms", ...(retryOn ? { retryOn } : {}) } }) });
    const reply = await send(client.ports.outbound, HOST);
    expect(reply.status).toBe(504);
    expect(app.requests).toHaveLength(1);
    expect(await lastLog(client)).toMatchObject({ response_code: 504, response_flags: "UT", upstream_request_attempt_count: 1 });
  });
});
