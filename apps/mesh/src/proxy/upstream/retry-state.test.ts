// Retry semantics: https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on
// Tested like Envoy's test/common/router/retry_state_impl_test.cc: fixed random(), exact back-offs.
import type { RetryPolicy } from "@skein/shared";
import { describe, expect, it } from "vitest";
import { SequenceRng } from "../clock.ts";
import { CircuitBreakers } from "./connection-pool.ts";
import { hosts } from "./test-support.ts";
import { type AttemptOutcome, compileRetryOn, effectivePerTryTimeoutMs, RetryState } from "./retry-state.ts";

function policy(over: Partial<RetryPolicy> = {}): RetryPolicy {
  return { attempts: 3, retryOn: ["5xx"], retriableStatusCodes: [], backoffBaseMs: 25, backoffMaxMs: 250, ...over };
}

/** Istio's default retry policy (pilot route/retry DefaultPolicy). */
const istioDefault = policy({
  attempts: 2,
  retryOn: ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"],
  retriableStatusCodes: [503],
});

const connectFailure: AttemptOutcome = { connectFailure: true };

describe("RetryState back-off", () => {
  it("backs off 15, 40 and 90 ms when random() returns 190, then gives up with URX", () => {
    const s = new RetryState(policy({ retryOn: ["connect-failure"] }), SequenceRng.ofUint32(190));
    expect([1, 2, 3].map(() => s.shouldRetry(connectFailure))).toEqual([
      { retry: true, backoffMs: 15, retryNumber: 1 },
      { retry: true, backoffMs: 40, retryNumber: 2 },
      { retry: true, backoffMs: 90, retryNumber: 3 },
    ]);
    expect(s.shouldRetry(connectFailure)).toEqual({ retry: false, reason: "limit-exceeded", flag: "URX" });
  });

  // Draws of interval - 1 show each interval: the largest wait the n-th retry can get.
  it.each([
    { base: 25, max: 250, draws: [24, 49, 99, 199, 249, 249], expected: [24, 49, 99, 199, 249, 249], why: "intervals 25, 50, 100, 200, then the 250 cap" },
    { base: 25, max: 250, draws: [25, 50, 100, 200, 250, 250], expected: [0, 0, 0, 0, 0, 0], why: "full jitter: a multiple of the interval waits 0" },
    { base: 100, max: 300, draws: [99, 199, 299, 299], expected: [99, 199, 299, 299], why: "doubling stops at the max" },
    { base: 10, max: 0, draws: [9, 19, 39, 79, 99, 999], expected: [9, 19, 39, 79, 99, 99], why: "no max: 10 × base" },
    { base: 0, max: 0, draws: [24, 49, 99], expected: [24, 49, 99], why: "no base: Envoy's 25 ms" },
    { base: 25, max: 250, draws: [2 ** 32 - 1], expected: [20], why: "random() is a full 32-bit value (4294967295 % 25)" },
  ])("waits $expected ms for draws $draws with base $base max $max ($why)", ({ base, max, draws, expected }) => {
    const s = new RetryState(policy({ attempts: 6, backoffBaseMs: base, backoffMaxMs: max }), SequenceRng.ofUint32(...draws));
    expect(expected.map(() => s.shouldRetry({ status: 503 })).map((d) => (d.retry ? d.backoffMs : d.reason))).toEqual(expected);
  });

  it("retries immediately without advancing the back-off for an HTTP/3 post-connect failure", () => {
    const s = new RetryState(policy({ retryOn: ["http3-post-connect-failure", "5xx"] }), SequenceRng.ofUint32(190));
    expect(s.shouldRetry({ resetBeforeResponse: true, requestSent: true, http3: true })).toMatchObject({ retry: true, backoffMs: 0 });
    expect(s.shouldRetry({ status: 500 })).toMatchObject({ retry: true, backoffMs: 15 });
  });
});

describe("RetryState retry conditions", () => {
  it.each<{ retryOn: string[]; codes?: number[]; outcome: AttemptOutcome; expected: string }>([
    { retryOn: ["5xx"], outcome: { status: 500 }, expected: "backoff" },
    { retryOn: ["5xx"], outcome: { status: 503 }, expected: "backoff" },
    { retryOn: ["5xx"], outcome: { status: 404 }, expected: "no" },
    { retryOn: ["5xx"], outcome: { resetBeforeResponse: true, requestSent: true }, expected: "backoff" },
    { retryOn: ["5xx"], outcome: { connectFailure: true }, expected: "backoff" },
    { retryOn: ["5xx"], outcome: { timeout: true, requestSent: true }, expected: "backoff" },
    { retryOn: ["5xx"], outcome: { refusedStream: true }, expected: "backoff" },
    { retryOn: ["5xx"], outcome: { overflow: true }, expected: "no" },
    { retryOn: ["gateway-error"], outcome: { status: 502 }, expected: "backoff" },
    { retryOn: ["gateway-error"], outcome: { status: 504 }, expected: "backoff" },
    { retryOn: ["gateway-error"], outcome: { status: 500 }, expected: "no" },
    { retryOn: ["gateway-error"], outcome: { resetBeforeResponse: true }, expected: "backoff" },
    { retryOn: ["reset"], outcome: { status: 503 }, expected: "no" },
    { retryOn: ["reset"], outcome: { resetBeforeResponse: true, requestSent: true }, expected: "backoff" },
    { retryOn: ["reset"], outcome: { timeout: true }, expected: "backoff" },
    { retryOn: ["reset-before-request"], outcome: { resetBeforeResponse: true, requestSent: false }, expected: "backoff" },
    { retryOn: ["reset-before-request"], outcome: { resetBeforeResponse: true, requestSent: true }, expected: "no" },
    { retryOn: ["connect-failure"], outcome: { connectFailure: true }, expected: "backoff" },
    { retryOn: ["connect-failure"], outcome: { resetBeforeResponse: true, requestSent: true }, expected: "no" },
    { retryOn: ["connect-failure"], outcome: { status: 503 }, expected: "no" },
    { retryOn: ["refused-stream"], outcome: { refusedStream: true }, expected: "backoff" },
    { retryOn: ["refused-stream"], outcome: { resetBeforeResponse: true, requestSent: true }, expected: "no" },
    { retryOn: ["retriable-4xx"], outcome: { status: 409 }, expected: "backoff" },
    { retryOn: ["retriable-4xx"], outcome: { status: 404 }, expected: "no" },
    { retryOn: ["retriable-status-codes"], codes: [418, 503], outcome: { status: 418 }, expected: "backoff" },
    { retryOn: ["retriable-status-codes"], codes: [418], outcome: { status: 500 }, expected: "no" },
    { retryOn: ["retriable-status-codes"], codes: [], outcome: { status: 503 }, expected: "no" },
    { retryOn: ["503"], codes: [], outcome: { status: 503 }, expected: "backoff" },
    { retryOn: ["retriable-headers"], outcome: { status: 200, headers: { "x-retry-me": "1" } }, expected: "backoff" },
    { retryOn: ["retriable-headers"], outcome: { status: 500, headers: {} }, expected: "no" },
    { retryOn: ["envoy-ratelimited"], outcome: { status: 429, headers: { "x-envoy-ratelimited": "true" } }, expected: "backoff" },
    { retryOn: ["5xx"], outcome: { status: 503, headers: { "x-envoy-ratelimited": "true" } }, expected: "no" },
    { retryOn: ["cancelled"], outcome: { status: 200, grpcStatus: 1 }, expected: "backoff" },
    { retryOn: ["deadline-exceeded"], outcome: { status: 200, grpcStatus: 4 }, expected: "backoff" },
    { retryOn: ["resource-exhausted"], outcome: { status: 200, grpcStatus: 8 }, expected: "backoff" },
    { retryOn: ["internal"], outcome: { status: 200, grpcStatus: 13 }, expected: "backoff" },
    { retryOn: ["unavailable"], outcome: { status: 200, grpcStatus: 14 }, expected: "backoff" },
    { retryOn: ["unavailable"], outcome: { status: 200, grpcStatus: 13 }, expected: "no" },
    { retryOn: ["unavailable"], outcome: { status: 200 }, expected: "no" },
    { retryOn: ["http3-post-connect-failure"], outcome: { resetBeforeResponse: true, http3: true }, expected: "immediate" },
    { retryOn: ["http3-post-connect-failure"], outcome: { resetBeforeResponse: true }, expected: "no" },
    { retryOn: ["5xx"], outcome: {}, expected: "no" },
  ])("retryOn $retryOn with $outcome → $expected", ({ retryOn, codes, outcome, expected }) => {
    const s = new RetryState(policy({ retryOn, retriableStatusCodes: codes ?? [] }), SequenceRng.ofUint32(0), undefined, {
      retriableHeaderNames: ["X-Retry-Me"],
    });
    expect(s.wouldRetry(outcome)).toBe(expected);
  });

  it.each([
    { outcome: { status: 503 }, expected: "backoff" },
    { outcome: { status: 500 }, expected: "no" },
    { outcome: { connectFailure: true }, expected: "backoff" },
    { outcome: { refusedStream: true }, expected: "backoff" },
    { outcome: { resetBeforeResponse: true, requestSent: true }, expected: "no" },
    { outcome: { status: 200, grpcStatus: 14 }, expected: "backoff" },
    { outcome: { status: 200, grpcStatus: 1 }, expected: "backoff" },
    { outcome: { status: 200, grpcStatus: 4 }, expected: "no" },
  ])("Istio's default policy treats $outcome as $expected", ({ outcome, expected }) => {
    expect(new RetryState(istioDefault, SequenceRng.ofUint32(0)).wouldRetry(outcome)).toBe(expected);
  });

  it("retries nothing when the route has attempts 0", () => {
    const s = new RetryState(policy({ attempts: 0 }), SequenceRng.ofUint32(0));
    expect(s.shouldRetry({ status: 503 })).toEqual({ retry: false, reason: "not-retriable" });
  });

  it("parses retryOn once per policy and keeps names Envoy would ignore", () => {
    const p = policy({ retryOn: ["5xx", " gateway-error ", "bogus", "409"], retriableStatusCodes: [503] });
    const c = compileRetryOn(p);
    expect(compileRetryOn(p)).toBe(c);
    expect(c.unknown).toEqual(["bogus"]);
    expect([...c.retriableStatusCodes].sort()).toEqual([409, 503]);
  });
});

describe("RetryState budget", () => {
  it("does not spend an attempt on a response that is not retriable", () => {
    const s = new RetryState(policy({ attempts: 1 }), SequenceRng.ofUint32(0));
    expect(s.shouldRetry({ status: 200 })).toEqual({ retry: false, reason: "not-retriable" });
    expect(s.shouldRetry({ status: 500 })).toMatchObject({ retry: true });
    expect(s.shouldRetry({ status: 500 })).toMatchObject({ flag: "URX" });
  });

  it("counts x-envoy-attempt-count from 1", () => {
    const s = new RetryState(policy(), SequenceRng.ofUint32(0));
    expect(s.attemptCount).toBe(1);
    s.shouldRetry({ status: 500 });
    expect(s.attemptCount).toBe(2);
  });

  it("answers UO when the cluster's max_retries is full, and the attempt is still spent", () => {
    const cb = new CircuitBreakers({ maxRetries: 1 });
    const a = new RetryState(policy(), SequenceRng.ofUint32(0), cb);
    const b = new RetryState(policy(), SequenceRng.ofUint32(0), cb);
    expect(a.shouldRetry({ status: 503 })).toMatchObject({ retry: true });
    expect(b.shouldRetry({ status: 503 })).toEqual({ retry: false, reason: "overflow", flag: "UO" });
    expect(b.remaining).toBe(2);
  });

  it("holds the retry until the next decision or release(), as Envoy's resetRetry does", () => {
    const cb = new CircuitBreakers({ maxRetries: 1 });
    const a = new RetryState(policy(), SequenceRng.ofUint32(0), cb);
    a.shouldRetry({ status: 503 });
    expect(cb.stats().activeRetries).toBe(1);
    a.shouldRetry({ status: 200 }); // the retry succeeded
    expect(cb.stats().activeRetries).toBe(0);
    a.shouldRetry({ status: 503 });
    a.release();
    a.release();
    expect(cb.stats().activeRetries).toBe(0);
  });
});

describe("RetryState per-try timeout", () => {
  it.each([
    { retryOn: ["5xx"], attempts: 1, expected: [{ retry: true, backoffMs: 0, retryNumber: 1 }, { retry: false, status: 504, flags: ["UT", "URX"] }] },
    { retryOn: ["gateway-error"], attempts: 1, expected: [{ retry: true, backoffMs: 0, retryNumber: 1 }, { retry: false, status: 504, flags: ["UT", "URX"] }] },
    { retryOn: ["reset"], attempts: 1, expected: [{ retry: true, backoffMs: 0, retryNumber: 1 }, { retry: false, status: 504, flags: ["UT", "URX"] }] },
    { retryOn: ["connect-failure"], attempts: 1, expected: [{ retry: false, status: 504, flags: ["UT"] }] },
    { retryOn: istioDefault.retryOn, attempts: 2, expected: [{ retry: false, status: 504, flags: ["UT"] }] },
  ])("with retryOn $retryOn retries the timed-out attempt, then answers 504 UT", ({ retryOn, attempts, expected }) => {
    const s = new RetryState(policy({ retryOn, attempts }), SequenceRng.ofUint32(0));
    expect(expected.map(() => s.onPerTryTimeout())).toEqual(expected);
  });

  it("answers 504 with UT and UO when the retry overflows", () => {
    const cb = new CircuitBreakers({ maxRetries: 1 });
    cb.startRetry();
    const s = new RetryState(policy(), SequenceRng.ofUint32(0), cb);
    expect(s.onPerTryTimeout()).toEqual({ retry: false, status: 504, flags: ["UT", "UO"] });
  });

  it.each([
    { perTry: undefined, route: 3000, expected: undefined, why: "no per-try timeout" },
    { perTry: 1000, route: undefined, expected: 1000, why: "no route timeout" },
    { perTry: 1000, route: 3000, expected: 1000, why: "shorter than the route timeout" },
    { perTry: 3000, route: 3000, expected: undefined, why: "not shorter than the route timeout: ignored" },
    { perTry: 1000, route: 0, expected: 1000, why: "route timeout 0 means none" },
  ])("arms a per-try timeout of $expected ms ($why)", ({ perTry, route, expected }) => {
    expect(effectivePerTryTimeoutMs({ perTryTimeoutMs: perTry }, route)).toBe(expected);
  });
});

describe("RetryState previous_hosts predicate", () => {
  it("asks the balancer for another host only for hosts this request already tried", () => {
    const [a, b] = hosts(2);
    const s = new RetryState(istioDefault, SequenceRng.ofUint32(0));
    expect(s.shouldSelectAnotherHost(a!)).toBe(false);
    s.onHostAttempted(a!);
    expect([s.shouldSelectAnotherHost(a!), s.shouldSelectAnotherHost(b!)]).toEqual([true, false]);
  });
});
