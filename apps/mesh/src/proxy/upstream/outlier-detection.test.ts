// Outlier detection: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier
// Config fields: https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/outlier_detection.proto
import type { OutlierDetection } from "@skein/shared";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock.ts";
import type { EndpointState } from "./endpoint-state.ts";
import { type OutlierEvent, type OutlierResult, OutlierTracker, scheduleOutlierSweeps } from "./outlier-detection.ts";
import { hosts, nameOf } from "./test-support.ts";

function config(over: Partial<OutlierDetection> = {}): OutlierDetection {
  return { consecutive5xxErrors: 5, consecutiveGatewayErrors: 0, intervalMs: 10_000, baseEjectionTimeMs: 30_000, maxEjectionPercent: 100, minHealthPercent: 0, ...over };
}

function tracker(over: Partial<OutlierDetection> = {}, n = 4, options = {}) {
  const t = new OutlierTracker(config(over), options);
  const hs = hosts(n);
  t.setHosts(hs);
  return { t, hs, h: hs[0]! };
}

const summary = (events: readonly OutlierEvent[]) => events.map((e) => `${e.type}${"reason" in e ? `:${e.reason}` : ""}`);

function feed(t: OutlierTracker, h: EndpointState, results: readonly OutlierResult[], now = 0): string[] {
  return results.flatMap((r) => summary(t.putResult(h, r, now)));
}

describe("OutlierTracker detection", () => {
  it.each<{ over: Partial<OutlierDetection>; results: OutlierResult[]; expected: string[]; why: string }>([
    { over: { consecutive5xxErrors: 3 }, results: [{ status: 500 }, { status: 500 }, { status: 500 }], expected: ["eject:consecutive_5xx"], why: "three 5xx in a row" },
    { over: { consecutive5xxErrors: 3 }, results: [{ status: 500 }, { status: 200 }, { status: 500 }, { status: 500 }], expected: [], why: "a success resets the count" },
    { over: { consecutive5xxErrors: 3 }, results: [{ status: 404 }, { status: 500 }, { status: 500 }], expected: [], why: "a 4xx is a success to outlier detection" },
    { over: { consecutive5xxErrors: 0 }, results: Array(10).fill({ status: 500 }), expected: [], why: "0 disables the detector" },
    { over: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 2 }, results: [{ status: 502 }, { status: 504 }], expected: ["eject:consecutive_gateway_failure"], why: "two gateway errors" },
    { over: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 2 }, results: [{ status: 502 }, { status: 500 }, { status: 503 }], expected: [], why: "a non-gateway 5xx resets the gateway count" },
    { over: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 2 }, results: ["connect-failure", "timeout"], expected: ["eject:consecutive_gateway_failure"], why: "connect failure (503) and timeout (504) are gateway errors" },
    { over: { consecutive5xxErrors: 2 }, results: ["reset", "reset"], expected: ["eject:consecutive_5xx"], why: "resets count as 503" },
    { over: { consecutive5xxErrors: 2 }, results: ["overflow", "overflow", "overflow"], expected: [], why: "our own circuit breaker says nothing about the host" },
    { over: { consecutive5xxErrors: 2 }, results: [{ status: 200, grpcStatus: 14 }, { status: 200, grpcStatus: 13 }], expected: ["eject:consecutive_5xx"], why: "grpc-status UNAVAILABLE/INTERNAL map to 503/500" },
    { over: { consecutive5xxErrors: 2 }, results: [{ status: 200, grpcStatus: 5 }, { status: 200, grpcStatus: 14 }], expected: [], why: "grpc-status NOT_FOUND maps to 404" },
    { over: { consecutive5xxErrors: 5, consecutiveGatewayErrors: 3 }, results: [{ status: 503 }, { status: 503 }, { status: 503 }], expected: ["eject:consecutive_gateway_failure"], why: "the gateway detector can fire first" },
    { over: { consecutive5xxErrors: 2 }, results: Array(6).fill({ status: 500 }), expected: ["eject:consecutive_5xx"], why: "an ejected host is not ejected again" },
  ])("$why → $expected", ({ over, results, expected }) => {
    const { t, h } = tracker(over);
    expect(feed(t, h, results)).toEqual(expected);
  });

  it("does not eject a host that is no longer in the cluster", () => {
    const { t } = tracker({ consecutive5xxErrors: 1 });
    const [stranger] = hosts(1);
    expect(t.putHttpResponseCode(stranger!, 500, 0)).toEqual([]);
    expect(stranger!.ejected).toBe(false);
  });

  it("reports events to the listener and counts active ejections", () => {
    const seen: string[] = [];
    const { t, hs } = tracker({ consecutive5xxErrors: 1 }, 4, { onEvent: (e: OutlierEvent) => seen.push(`${e.type} ${nameOf(e.host)}`) });
    t.putHttpResponseCode(hs[1]!, 500, 0);
    t.putHttpResponseCode(hs[2]!, 503, 0);
    expect(seen).toEqual(["eject h2", "eject h3"]);
    expect(t.ejectionsActive).toBe(2);
  });
});

describe("OutlierTracker max ejection percent", () => {
  // Envoy ejects while 100 × (ejected + 1) / hosts <= max_ejection_percent.
  it.each([
    { n: 10, max: 10, alreadyOut: 0, always: false, expected: "eject", why: "1 of 10 is 10%" },
    { n: 10, max: 10, alreadyOut: 1, always: false, expected: "overflow", why: "2 of 10 is 20%" },
    { n: 5, max: 10, alreadyOut: 0, always: false, expected: "overflow", why: "1 of 5 is 20%: Istio's default 10% ejects nothing below 10 hosts" },
    { n: 5, max: 10, alreadyOut: 0, always: true, expected: "eject", why: "always_eject_one_host allows the first" },
    { n: 5, max: 10, alreadyOut: 1, always: true, expected: "overflow", why: "always_eject_one_host allows only one" },
    { n: 5, max: 50, alreadyOut: 1, always: false, expected: "eject", why: "2 of 5 is 40%" },
    { n: 5, max: 50, alreadyOut: 2, always: false, expected: "overflow", why: "3 of 5 is 60%" },
    { n: 1, max: 100, alreadyOut: 0, always: false, expected: "eject", why: "100% may eject the only host" },
    { n: 3, max: 0, alreadyOut: 0, always: false, expected: "overflow", why: "0% forbids ejection" },
    { n: 2, max: 150, alreadyOut: 1, always: false, expected: "eject", why: "above 100 is treated as 100" },
  ])("$n hosts, max $max%, $alreadyOut already out → $expected ($why)", ({ n, max, alreadyOut, always, expected }) => {
    const t = new OutlierTracker(config({ consecutive5xxErrors: 1, maxEjectionPercent: max }), { alwaysEjectOneHost: always });
    const hs = hosts(n);
    for (let i = 0; i < alreadyOut; i++) hs[n - 1 - i]!.ejected = true;
    t.setHosts(hs);
    expect(summary(t.putHttpResponseCode(hs[0]!, 500, 0))).toEqual([`${expected}:consecutive_5xx`]);
    expect(hs[0]!.ejected).toBe(expected === "eject");
  });

  it("detects the next bout of errors after an overflow", () => {
    const { t, h } = tracker({ consecutive5xxErrors: 2, maxEjectionPercent: 0 });
    expect(feed(t, h, [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }])).toEqual(["overflow:consecutive_5xx", "overflow:consecutive_5xx"]);
  });
});

describe("OutlierTracker ejection time", () => {
  it("returns a host at the first sweep after base_ejection_time", () => {
    const { t, h } = tracker({ consecutive5xxErrors: 1, baseEjectionTimeMs: 30_000 });
    t.putHttpResponseCode(h, 500, 1_000);
    expect(t.tick(30_999)).toEqual([]);
    expect(h.ejected).toBe(true);
    expect(summary(t.tick(31_000))).toEqual(["uneject"]);
    expect(h.ejected).toBe(false);
    expect(h.outlier).toMatchObject({ consecutive5xx: 0, consecutiveGatewayFailure: 0, lastUnejectionTime: 31_000 });
  });

  it.each([
    { base: 10_000, max: undefined, expected: [10_000, 20_000, 30_000, 40_000], why: "base × number of ejections" },
    { base: 100_000, max: undefined, expected: [100_000, 200_000, 300_000, 300_000], why: "capped at Envoy's default max of 300 s" },
    { base: 10_000, max: 25_000, expected: [10_000, 20_000, 25_000, 25_000], why: "capped at max_ejection_time" },
    { base: 400_000, max: undefined, expected: [400_000, 400_000, 400_000, 400_000], why: "a base above 300 s is its own cap" },
  ])("ejects for $expected on repeated ejections ($why)", ({ base, max, expected }) => {
    const t = new OutlierTracker(config({ consecutive5xxErrors: 1, baseEjectionTimeMs: base }), { maxEjectionTimeMs: max });
    const [h] = hosts(1);
    t.setHosts([h!]);
    let now = 0;
    const times: number[] = [];
    for (let i = 0; i < expected.length; i++) {
      const [e] = t.putHttpResponseCode(h!, 500, now);
      times.push(e?.type === "eject" ? e.ejectionTimeMs : -1);
      now += e?.type === "eject" ? e.ejectionTimeMs : 0;
      t.tick(now); // served in full, and too soon after the return for the multiplier to fall
    }
    expect(times).toEqual(expected);
  });

  it("lowers the multiplier by one for each interval the host stays healthy", () => {
    const { t, h } = tracker({ consecutive5xxErrors: 1, baseEjectionTimeMs: 10_000, intervalMs: 1_000 });
    let now = 0;
    for (let i = 0; i < 3; i++) {
      t.putHttpResponseCode(h, 500, now);
      now += t.ejectionTimeMs(h);
      t.tick(now);
    }
    expect(h.outlier.ejectTimeBackoff).toBe(3);
    const multipliers = [1, 2, 3, 4].map((k) => (t.tick(now + k * 1_000), h.outlier.ejectTimeBackoff));
    expect(multipliers).toEqual([2, 1, 0, 0]);
    expect(summary(t.putHttpResponseCode(h, 500, now + 5_000))).toEqual(["eject:consecutive_5xx"]);
    expect(t.ejectionTimeMs(h)).toBe(10_000);
  });

  it("keeps the multiplier while the host is out", () => {
    const { t, h } = tracker({ consecutive5xxErrors: 1, baseEjectionTimeMs: 60_000, intervalMs: 1_000 });
    t.putHttpResponseCode(h, 500, 0);
    for (let s = 1; s < 60; s++) t.tick(s * 1_000);
    expect(h.outlier.ejectTimeBackoff).toBe(1);
    expect(h.ejected).toBe(true);
  });

  it("keeps ejections across a host list update and forgets hosts that left", () => {
    const { t, hs } = tracker({ consecutive5xxErrors: 1 });
    t.putHttpResponseCode(hs[0]!, 500, 0);
    t.putHttpResponseCode(hs[1]!, 500, 0);
    t.setHosts([hs[0]!, hs[2]!, hs[3]!]);
    expect(t.ejectionsActive).toBe(1);
  });
});

describe("scheduleOutlierSweeps", () => {
  it("sweeps every interval on the caller's timers and stops when cancelled", () => {
    const clock = new ManualClock();
    const { t, h } = tracker({ consecutive5xxErrors: 1, baseEjectionTimeMs: 3_000, intervalMs: 1_000 });
    const sweeps = scheduleOutlierSweeps(t, clock, clock);
    t.putHttpResponseCode(h, 500, clock.now());
    clock.advance(2_999);
    expect(h.ejected).toBe(true);
    clock.advance(1);
    expect(h.ejected).toBe(false);
    expect(clock.pendingDelays()).toEqual([1_000]);
    sweeps.cancel();
    expect(clock.pendingTimers).toBe(0);
  });
});
