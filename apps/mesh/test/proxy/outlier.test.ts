/**
 * Outlier detection through a real sidecar: endpoints that fail are ejected, traffic goes
 * to the others, ejected endpoints come back after their ejection time, and with
 * nothing left the answer depends on Envoy's panic threshold, which Istio sets from
 * minHealthPercent. https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier
 *
 * Retries are off (`attempts: 0`) so every request is exactly one try, counted at the
 * upstream; round robin makes each endpoint's share exact.
 */
import { describe, expect, it } from "vitest";
import {
  send,
  serviceEntry,
  startSidecar,
  startUpstream,
  unusedPort,
  usingMesh,
  waitUntil,
  type Reply,
  type TestSidecar,
  type UpstreamHandler,
} from "./harness.ts";

usingMesh();

const HOST = "reviews:9080";

interface Outlier {
  consecutive5xxErrors?: number;
  consecutiveGatewayErrors?: number;
  interval?: string;
  baseEjectionTime?: string;
  maxEjectionPercent?: number;
  minHealthPercent?: number;
}

function config(endpoints: number[], outlierDetection: Outlier): string {
  const trafficPolicy = { loadBalancer: { simple: "ROUND_ROBIN" }, outlierDetection };
  return `${serviceEntry("reviews", 9080, endpoints.map((port) => ({ port })))}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec: ${JSON.stringify({ hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews" } }], retries: { attempts: 0 } }] })}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec: ${JSON.stringify({ host: "reviews", trafficPolicy })}
`;
}

function answering(status: number): UpstreamHandler {
  return (_req, res) => {
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(String(status));
  };
}

async function sendN(sidecar: TestSidecar, n: number): Promise<Reply[]> {
  const out: Reply[] = [];
  for (let i = 0; i < n; i++) out.push(await send(sidecar.ports.outbound, HOST));
  return out;
}

/** Sends one request at a time, a little apart, until `done` holds (bounded); returns whether it did. */
async function sendUntil(sidecar: TestSidecar, done: () => boolean, withinMs = 5_000): Promise<boolean> {
  return waitUntil(async () => {
    await send(sidecar.ports.outbound, HOST);
    return done();
  }, withinMs, 50);
}

describe("consecutive errors eject an endpoint", () => {
  it("ejects an endpoint after consecutive 5xx, sends everything to the healthy one, and takes it back after baseEjectionTime", async () => {
    const good = await startUpstream("good", answering(200));
    const bad = await startUpstream("bad", answering(500));
    const client = await startSidecar({
      yaml: config([good.port, bad.port], { consecutive5xxErrors: 3, interval: "200ms", baseEjectionTime: "1s", maxEjectionPercent: 100 }),
      metrics: true,
    });
    // Round robin: the third 500 comes with the sixth request and ejects the endpoint.
    await sendN(client, 6);
    expect(bad.requests).toHaveLength(3);

    const whileEjected = await sendN(client, 20);
    expect(whileEjected.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(bad.requests).toHaveLength(3);
    expect(await client.sidecar.metrics.metricsText()).toMatch(/skein_proxy_upstream_ejections_total\{[^}]*\} 1/);

    // Back once the ejection time is served, at the next interval sweep.
    expect(await sendUntil(client, () => bad.requests.length > 3)).toBe(true);
  });

  it("counts 502/503/504 as gateway errors, and a 500 does not", async () => {
    const good = await startUpstream("good", answering(200));
    const gateway = await startUpstream("gateway", answering(502));
    const client = await startSidecar({
      yaml: config([good.port, gateway.port], { consecutive5xxErrors: 0, consecutiveGatewayErrors: 2, interval: "200ms", baseEjectionTime: "2s", maxEjectionPercent: 100 }),
    });
    await sendN(client, 4);
    expect(gateway.requests).toHaveLength(2);
    await sendN(client, 10);
    expect(gateway.requests).toHaveLength(2);

    const internal = await startUpstream("internal", answering(500));
    client.apply(config([good.port, internal.port], { consecutive5xxErrors: 0, consecutiveGatewayErrors: 2, interval: "200ms", baseEjectionTime: "2s", maxEjectionPercent: 100 }));
    await sendN(client, 20);
    expect(internal.requests).toHaveLength(10);
  });

  it("ejects an endpoint nobody listens on: connect failures count as 503s", async () => {
    const good = await startUpstream("good", answering(200));
    const dead = await unusedPort();
    const client = await startSidecar({ yaml: config([good.port, dead], { consecutive5xxErrors: 2, interval: "200ms", baseEjectionTime: "2s", maxEjectionPercent: 100 }) });
    const first = await sendN(client, 4);
    expect(first.map((r) => r.status).sort()).toEqual([200, 200, 503, 503]);
    const later = await sendN(client, 10);
    expect(later.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(good.requests).toHaveLength(12);
  });
});

describe("maxEjectionPercent is strict (Envoy since envoy#27909)", () => {
  // Ejecting one of two endpoints ejects 50%: Istio's default of 10% (and anything below
  // 50) refuses it, so the failing endpoint keeps its share of the traffic.
  it.each([
    ["Istio's default (10%)", undefined, 10],
    ["49%", 49, 10],
    ["50%", 50, 3],
  ])("with two endpoints and maxEjectionPercent %s, the failing endpoint gets %i of 20 requests", async (_name, maxEjectionPercent, badShare) => {
    const good = await startUpstream("good", answering(200));
    const bad = await startUpstream("bad", answering(500));
    const od: Outlier = { consecutive5xxErrors: 3, interval: "200ms", baseEjectionTime: "2s", ...(maxEjectionPercent !== undefined ? { maxEjectionPercent } : {}) };
    const client = await startSidecar({ yaml: config([good.port, bad.port], od) });
    await sendN(client, 20);
    expect(bad.requests).toHaveLength(badShare);
  });
});

describe("every endpoint ejected", () => {
  // Istio copies minHealthPercent into Envoy's healthy_panic_threshold, 0 when unset, and
  // 0% disables panic mode: the balancer then has no host and Envoy answers 503 UH
  // (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/cluster.proto,
  // CommonLbConfig.healthy_panic_threshold: "To disable panic mode, set to 0%").
  it("answers 503 UH without calling any endpoint when minHealthPercent is 0 (Istio's default)", async () => {
    const a = await startUpstream("a", answering(500));
    const b = await startUpstream("b", answering(500));
    const client = await startSidecar({ yaml: config([a.port, b.port], { consecutive5xxErrors: 2, interval: "200ms", baseEjectionTime: "1s", maxEjectionPercent: 100 }) });
    await sendN(client, 4);
    expect([a.requests.length, b.requests.length]).toEqual([2, 2]);

    const replies = await sendN(client, 5);
    expect(replies.map((r) => r.status)).toEqual(Array(5).fill(503));
    expect(replies[0]!.text).toBe("no healthy upstream");
    expect(a.requests.length + b.requests.length).toBe(4);
    expect(client.accessLog.at(-1)).toMatchObject({ response_code: 503, response_flags: "UH", upstream_host: null });

    // They come back after the ejection time.
    expect(await sendUntil(client, () => a.requests.length + b.requests.length > 4)).toBe(true);
  });

  // In panic Envoy "will disregard health status and balance amongst all hosts"
  // (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/panic_threshold).
  it("keeps sending to the ejected endpoints when minHealthPercent is above 0 (panic mode)", async () => {
    const a = await startUpstream("a", answering(500));
    const b = await startUpstream("b", answering(500));
    const client = await startSidecar({
      yaml: config([a.port, b.port], { consecutive5xxErrors: 2, interval: "200ms", baseEjectionTime: "5s", maxEjectionPercent: 100, minHealthPercent: 50 }),
      metrics: true,
    });
    await sendN(client, 4);
    expect(await client.sidecar.metrics.metricsText()).toMatch(/skein_proxy_upstream_ejections_total\{[^}]*\} 2/);
    const replies = await sendN(client, 6);
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(500));
    expect([a.requests.length, b.requests.length]).toEqual([5, 5]);
  });

  it("with panic mode on, one ejected endpoint out of two already puts the cluster in panic above 50%", async () => {
    // 1 healthy of 2 is 50% (below 60), and Envoy's overprovisioned availability is
    // 1.4 × 50% = 70% < 100%, so the panic threshold applies and both endpoints are used.
    const good = await startUpstream("good", answering(200));
    const bad = await startUpstream("bad", answering(500));
    const client = await startSidecar({
      yaml: config([good.port, bad.port], { consecutive5xxErrors: 2, interval: "200ms", baseEjectionTime: "5s", maxEjectionPercent: 100, minHealthPercent: 60 }),
      metrics: true,
    });
    await sendN(client, 4);
    expect(await client.sidecar.metrics.metricsText()).toMatch(/skein_proxy_upstream_ejections_total\{[^}]*\} 1/);
    await sendN(client, 10);
    expect(bad.requests).toHaveLength(7);
  });
});
