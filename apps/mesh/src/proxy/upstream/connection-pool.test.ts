// Circuit breaking: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking
// Istio connectionPool: https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings
import { describe, expect, it } from "vitest";
import { circuitBreakerLimits, CircuitBreakers, ISTIO_UNLIMITED, type UpstreamVerdict } from "./connection-pool.ts";

const ok: UpstreamVerdict = { ok: true };
const uo: UpstreamVerdict = { ok: false, flag: "UO" };

describe("circuitBreakerLimits", () => {
  it.each([
    { pool: undefined, expected: { maxConnections: ISTIO_UNLIMITED, maxPendingRequests: ISTIO_UNLIMITED, maxRequests: ISTIO_UNLIMITED, maxRetries: ISTIO_UNLIMITED, maxRequestsPerConnection: 0 }, why: "no connectionPool: Istio's 2^32-1 everywhere" },
    { pool: { maxConnections: 0, http1MaxPendingRequests: 0, http2MaxRequests: 0, maxRetries: 0, maxRequestsPerConnection: 0 }, expected: { maxConnections: ISTIO_UNLIMITED, maxPendingRequests: ISTIO_UNLIMITED, maxRequests: ISTIO_UNLIMITED, maxRetries: ISTIO_UNLIMITED, maxRequestsPerConnection: 0 }, why: "0 means unset to Istio" },
    { pool: { maxConnections: 1, http1MaxPendingRequests: 2, http2MaxRequests: 3, maxRetries: 4, maxRequestsPerConnection: 5 }, expected: { maxConnections: 1, maxPendingRequests: 2, maxRequests: 3, maxRetries: 4, maxRequestsPerConnection: 5 }, why: "each field maps to its Envoy threshold" },
  ])("$why", ({ pool, expected }) => {
    expect(circuitBreakerLimits(pool)).toEqual(expected);
  });
});

describe("CircuitBreakers", () => {
  // Each row: the limit, then the verdicts of limit + 1 starts: the (limit + 1)th overflows.
  it.each([
    { resource: "requests", pool: { http2MaxRequests: 2 }, start: (cb: CircuitBreakers) => cb.startRequest(), end: (cb: CircuitBreakers) => cb.endRequest() },
    { resource: "pending requests", pool: { http1MaxPendingRequests: 2 }, start: (cb: CircuitBreakers) => cb.queueRequest(), end: (cb: CircuitBreakers) => cb.dequeueRequest() },
    { resource: "retries", pool: { maxRetries: 2 }, start: (cb: CircuitBreakers) => cb.startRetry(), end: (cb: CircuitBreakers) => cb.endRetry() },
    { resource: "connections", pool: { maxConnections: 2 }, start: (cb: CircuitBreakers) => cb.openConnection(), end: (cb: CircuitBreakers) => cb.closeConnection() },
  ])("admits 2 concurrent $resource, answers UO to the third, and admits again after a release", ({ pool, start, end }) => {
    const cb = new CircuitBreakers(pool);
    expect([start(cb), start(cb), start(cb)]).toEqual([ok, ok, uo]);
    end(cb);
    expect(start(cb)).toEqual(ok);
    expect(start(cb)).toEqual(uo);
  });

  it("counts overflows per resource for the upstream_*_overflow counters", () => {
    const cb = new CircuitBreakers({ http2MaxRequests: 1, maxRetries: 1 });
    cb.startRequest();
    cb.startRequest();
    cb.startRequest();
    cb.startRetry();
    cb.startRetry();
    expect(cb.overflows).toEqual({ connections: 0, pendingRequests: 0, requests: 2, retries: 1 });
  });

  it("never lets a double release loosen a limit", () => {
    const cb = new CircuitBreakers({ http2MaxRequests: 1 });
    cb.endRequest();
    cb.endRequest();
    expect([cb.startRequest(), cb.startRequest()]).toEqual([ok, uo]);
  });

  it("keeps limits independent: full retries do not block new requests", () => {
    const cb = new CircuitBreakers({ maxRetries: 1, http2MaxRequests: 10 });
    cb.startRetry();
    expect(cb.startRetry()).toEqual(uo);
    expect(cb.startRequest()).toEqual(ok);
  });

  it("admits Istio's default of 2^32-1 as effectively unlimited", () => {
    const cb = new CircuitBreakers();
    for (let i = 0; i < 10_000; i++) expect(cb.startRequest().ok).toBe(true);
  });

  it.each([
    { max: 0, served: 1_000_000, reusable: true, why: "0 is unlimited" },
    { max: 1, served: 0, reusable: true, why: "a fresh connection serves its first request" },
    { max: 1, served: 1, reusable: false, why: "one request per connection disables keep-alive" },
    { max: 3, served: 2, reusable: true, why: "under the limit" },
    { max: 3, served: 3, reusable: false, why: "at the limit the connection is drained" },
  ])("maxRequestsPerConnection $max after $served requests: reusable $reusable ($why)", ({ max, served, reusable }) => {
    expect(new CircuitBreakers({ maxRequestsPerConnection: max }).connectionReusable(served)).toBe(reusable);
  });

  it("reports usage and remaining capacity like Envoy's circuit_breakers gauges", () => {
    const cb = new CircuitBreakers({ maxConnections: 4, http1MaxPendingRequests: 3, http2MaxRequests: 5, maxRetries: 2 });
    cb.openConnection();
    cb.queueRequest();
    cb.startRequest();
    cb.startRequest();
    cb.startRetry();
    expect(cb.stats()).toEqual({
      connections: 1,
      pendingRequests: 1,
      activeRequests: 2,
      activeRetries: 1,
      remainingConnections: 3,
      remainingPendingRequests: 2,
      remainingRequests: 3,
      remainingRetries: 1,
    });
  });
});
