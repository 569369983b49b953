/**
 * Istio fault injection (Envoy's HTTP fault filter) through a real sidecar to a real app:
 * delays that hold the request (flag DI), aborts answered by the sidecar itself (flag FI)
 * at the configured rate, and which requests they apply to.
 * https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
 */
import { request as undiciRequest } from "undici";
import { describe, expect, it } from "vitest";
import { send, sendMany, serviceEntry, startSidecar, startUpstream, usingMesh, type Reply, type TestSidecar, type Upstream } from "./harness.ts";

usingMesh();

/** The ratings service with one app, and a client sidecar whose VirtualService has these HTTP routes. */
async function ratingsWith(http: unknown[]): Promise<{ app: Upstream; client: TestSidecar; get(path?: string, headers?: Record<string, string>): Promise<Reply> }> {
  const app = await startUpstream("ratings-v1");
  const vs = JSON.stringify({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "ratings" }, spec: { hosts: ["ratings"], http } });
  const client = await startSidecar({ yaml: [serviceEntry("ratings", 9080, [{ port: app.port, labels: { app: "ratings", version: "v1" } }]), vs].join("\n---\n") });
  return { app, client, get: (path = "/", headers = {}) => send(client.ports.outbound, "ratings:9080", path, { headers }) };
}

const ROUTE = [{ destination: { host: "ratings" } }];

/** Count of Bernoulli(p) successes in n trials stays within 5 standard deviations except with probability < 1e-6. */
function expectRate(count: number, p: number, n: number): void {
  const sd = Math.sqrt(p * (1 - p) * n);
  expect(count).toBeGreaterThanOrEqual(p * n - 5 * sd);
  expect(count).toBeLessThanOrEqual(p * n + 5 * sd);
}

/**
 * Node's timers may fire up to a millisecond before the requested time as measured by
 * performance.now (libuv rounds the loop time down), so "at least the delay" allows that.
 */
const TIMER_SLACK_MS = 2;

async function until(cond: () => boolean, maxMs = 5000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

describe("delay", () => {
  it("holds every request for the fixed delay before forwarding it, with flag DI", async () => {
    const mesh = await ratingsWith([{ fault: { delay: { fixedDelay: "300ms", percentage: { value: 100 } } }, route: ROUTE }]);
    const { value: reply, ms } = await timed(() => mesh.get("/slow"));
    expect(reply.status).toBe(200);
    expect(reply.json().name).toBe("ratings-v1");
    expect(ms).toBeGreaterThanOrEqual(300 - TIMER_SLACK_MS);
    expect(mesh.app.requests).toHaveLength(1);
    expect(mesh.client.accessLog.at(-1)).toMatchObject({ response_code: 200, response_flags: "DI" });
  });

  it("delays about the configured share of requests", async () => {
    const mesh = await ratingsWith([{ fault: { delay: { fixedDelay: "1ms", percentage: { value: 50 } } }, route: ROUTE }]);
    const n = 300;
    const replies = await sendMany(n, 8, () => mesh.get());
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const delayed = mesh.client.accessLog.filter((l) => l.response_flags === "DI").length;
    expectRate(delayed, 0.5, n);
    expect(mesh.client.accessLog.filter((l) => l.response_flags === "-").length).toBe(n - delayed);
    expect(mesh.app.requests).toHaveLength(n);
  });

  it("drops a request whose caller leaves during the delay, without forwarding it (flags DI and DC)", async () => {
    const mesh = await ratingsWith([{ fault: { delay: { fixedDelay: "2s", percentage: { value: 100 } } }, route: ROUTE }]);
    const caller = new AbortController();
    const pending = undiciRequest(`http://127.0.0.1:${mesh.client.ports.outbound}/`, { headers: { host: "ratings:9080" }, signal: caller.signal });
    setTimeout(() => caller.abort(), 100);
    await expect(pending).rejects.toThrow();
    await until(() => mesh.client.accessLog.length === 1);
    expect(mesh.client.accessLog[0]).toMatchObject({ response_code: 0, response_flags: "DI,DC" });
    expect(mesh.app.requests).toHaveLength(0);
  });

  it("does not count the delay against the route timeout, since the fault filter runs before the router", async () => {
    // Envoy's router starts the route timeout when it receives the request, which the fault
    // filter ahead of it holds back during the delay.
    const mesh = await ratingsWith([{ fault: { delay: { fixedDelay: "400ms", percentage: { value: 100 } } }, timeout: "200ms", route: ROUTE }]);
    const reply = await mesh.get();
    expect(reply.status).toBe(200);
    expect(mesh.client.accessLog.at(-1)!.response_flags).toBe("DI");
  });
});

describe("abort", () => {
  it("answers every request itself with the configured status and flag FI; the app never sees them", async () => {
    const mesh = await ratingsWith([{ fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }, route: ROUTE }]);
    for (let i = 0; i < 5; i++) {
      const reply = await mesh.get(`/r/${i}`);
      expect(reply.status).toBe(418);
      expect(reply.text).toBe("fault filter abort");
    }
    expect(mesh.app.requests).toHaveLength(0);
    expect(mesh.client.accessLog.map((l) => `${String(l.response_code)} ${String(l.response_flags)}`)).toEqual(Array(5).fill("418 FI"));
  });

  it("aborts about the configured share of requests and forwards exactly the others", async () => {
    const mesh = await ratingsWith([{ fault: { abort: { httpStatus: 503, percentage: { value: 30 } } }, route: ROUTE }]);
    const n = 400;
    const replies = await sendMany(n, 8, (i) => mesh.get(`/r/${i}`));
    const aborted = replies.filter((r) => r.status === 503);
    const served = replies.filter((r) => r.status === 200);
    expect(aborted.length + served.length).toBe(n);
    expectRate(aborted.length, 0.3, n);
    expect(mesh.client.accessLog.filter((l) => l.response_flags === "FI").length).toBe(aborted.length);
    // The aborted requests never left the sidecar (no retry of a fault either).
    expect(mesh.app.requests).toHaveLength(served.length);
    expect(new Set(mesh.app.requests.map((r) => r.path)).size).toBe(served.length);
  });

  it("answers a gRPC abort as HTTP 200 with grpc-status, as Envoy does", async () => {
    const mesh = await ratingsWith([{ fault: { abort: { grpcStatus: "UNAVAILABLE", percentage: { value: 100 } } }, route: ROUTE }]);
    const reply = await mesh.get("/pkg.Ratings/Get", { "content-type": "application/grpc" });
    expect(reply.status).toBe(200);
    expect(reply.headers["grpc-status"]).toBe("14");
    expect(mesh.app.requests).toHaveLength(0);
    expect(mesh.client.accessLog.at(-1)!.response_flags).toBe("FI");
  });
});

describe("delay and abort together", () => {
  it("delays first and then aborts, flagging both", async () => {
    const mesh = await ratingsWith([{ fault: { delay: { fixedDelay: "200ms", percentage: { value: 100 } }, abort: { httpStatus: 500, percentage: { value: 100 } } }, route: ROUTE }]);
    const { value: reply, ms } = await timed(() => mesh.get());
    expect(reply.status).toBe(500);
    expect(ms).toBeGreaterThanOrEqual(200 - TIMER_SLACK_MS);
    expect(mesh.app.requests).toHaveLength(0);
    // Envoy prints flags in its own order: DI before FI.
    expect(mesh.client.accessLog.at(-1)).toMatchObject({ response_code: 500, response_flags: "DI,FI" });
  });

  it("injects faults only on the route that declares them", async () => {
    const mesh = await ratingsWith([
      { match: [{ headers: { "end-user": { exact: "jason" } } }], fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }, route: ROUTE },
      { route: ROUTE },
    ]);
    expect((await mesh.get("/", { "end-user": "jason" })).status).toBe(500);
    expect(mesh.client.accessLog.at(-1)!.response_flags).toBe("FI");
    expect((await mesh.get("/", { "end-user": "someone" })).status).toBe(200);
    expect((await mesh.get("/")).status).toBe(200);
    expect(mesh.client.accessLog.at(-1)!.response_flags).toBe("-");
    expect(mesh.app.requests).toHaveLength(2);
  });
});
