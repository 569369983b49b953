// Panic threshold: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/panic_threshold
// Host selection retries: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/http_connection_management#retry-plugin-configuration
import { describe, expect, it } from "vitest";
import type { LoadBalancer } from "@skein/shared";
import { seededRng, SequenceRng } from "../../clock.ts";
import { createEndpointState } from "../endpoint-state.ts";
import { endpoint, hosts, nameOf, tally } from "../test-support.ts";
import { createLoadBalancer, isInPanic, panicThresholdFor } from "./index.ts";
import { buildRing, chooseOnRing, DEFAULT_MAX_RING_SIZE } from "./ring-hash.ts";
import { xxHash64 } from "./xxhash64.ts";

const RR: LoadBalancer = { type: "ROUND_ROBIN" };
const ring: LoadBalancer = { type: "CONSISTENT_HASH", hashOn: { header: "x-user" }, ringSize: 1024, algorithm: "RING_HASH" };
const maglev: LoadBalancer = { type: "CONSISTENT_HASH", hashOn: { header: "x-user" }, ringSize: 65537, algorithm: "MAGLEV" };

function ejected(n: number, ejectedIdx: readonly number[]) {
  const hs = hosts(n);
  for (const i of ejectedIdx) hs[i]!.ejected = true;
  return hs;
}

describe("isInPanic", () => {
  it.each([
    { total: 10, healthy: 10, threshold: 50, panic: false, why: "all healthy" },
    { total: 10, healthy: 4, threshold: 50, panic: true, why: "40% < 50%" },
    { total: 10, healthy: 5, threshold: 50, panic: false, why: "50% is not below 50%" },
    { total: 10, healthy: 7, threshold: 80, panic: true, why: "70% < 80% and 1.4 × 70% = 98% < 100%" },
    { total: 10, healthy: 8, threshold: 80, panic: false, why: "1.4 × 80% ≥ 100%: availability is full" },
    { total: 7, healthy: 5, threshold: 100, panic: false, why: "140 × 5 / 7 = 100: Envoy disregards the threshold" },
    { total: 3, healthy: 0, threshold: 50, panic: true, why: "no healthy host at all" },
    { total: 3, healthy: 0, threshold: 0, panic: false, why: "threshold 0 disables panic" },
    { total: 0, healthy: 0, threshold: 50, panic: false, why: "no hosts" },
  ])("$total hosts, $healthy healthy, threshold $threshold% → panic $panic ($why)", ({ total, healthy, threshold, panic }) => {
    expect(isInPanic(total, healthy, threshold)).toBe(panic);
  });
});

describe("createLoadBalancer", () => {
  it.each([
    { lb: RR, type: "ROUND_ROBIN" },
    { lb: { type: "LEAST_REQUEST" } as LoadBalancer, type: "LEAST_REQUEST" },
    { lb: { type: "RANDOM" } as LoadBalancer, type: "RANDOM" },
    { lb: ring, type: "CONSISTENT_HASH" },
    { lb: maglev, type: "CONSISTENT_HASH" },
    { lb: { type: "PASSTHROUGH" } as LoadBalancer, type: "PASSTHROUGH" },
  ])("builds a $type balancer", ({ lb, type }) => {
    expect(createLoadBalancer(lb, seededRng(1)).type).toBe(type);
  });

  it.each([{ lb: RR }, { lb: { type: "LEAST_REQUEST" } as LoadBalancer }, { lb: { type: "RANDOM" } as LoadBalancer }, { lb: ring }, { lb: maglev }])(
    "$lb.type never picks an ejected host outside panic",
    ({ lb }) => {
      const balancer = createLoadBalancer(lb, seededRng(3), { panicThresholdPercent: 0 });
      const hs = ejected(4, [1, 3]);
      const picks = Array.from({ length: 200 }, (_, i) => balancer.pick(hs, { hashKey: `k${i}` }));
      expect(Object.keys(tally(picks)).sort()).toEqual(["h1", "h3"]);
    },
  );

  it.each([
    { threshold: 0, expected: ["none"], source: "healthy", why: "panic disabled: no host, the caller answers 503 UH" },
    { threshold: 50, expected: ["h1", "h2", "h3"], source: "all", why: "panic: ejected hosts are used again" },
  ])("with every host ejected and threshold $threshold picks $expected ($why)", ({ threshold, expected, source }) => {
    const balancer = createLoadBalancer(RR, SequenceRng.ofUint32(0), { panicThresholdPercent: threshold });
    const hs = ejected(3, [0, 1, 2]);
    const picks = Array.from({ length: 3 }, () => nameOf(balancer.pick(hs)));
    expect([...new Set(picks)].sort()).toEqual(expected);
    expect(balancer.lastSource).toBe(source);
  });

  it("balances over all hosts when the healthy share drops below minHealthPercent", () => {
    const balancer = createLoadBalancer(RR, SequenceRng.ofUint32(0), { panicThresholdPercent: 60 });
    const hs = ejected(4, [0, 1]); // 50% healthy < 60%, 1.4 × 50% = 70% < 100%
    expect(Array.from({ length: 4 }, () => nameOf(balancer.pick(hs)))).toEqual(["h1", "h2", "h3", "h4"]);
  });

  it("returns undefined for an empty endpoint list", () => {
    expect(createLoadBalancer(RR, seededRng(1)).pick([])).toBeUndefined();
  });

  it("re-picks while the retry host predicate rejects the host, then keeps the last pick", () => {
    const balancer = createLoadBalancer(RR, SequenceRng.ofUint32(0), { hostSelectionRetryMaxAttempts: 2 });
    const hs = hosts(5);
    const seen: string[] = [];
    const host = balancer.pick(hs, { shouldSelectAnotherHost: (h) => (seen.push(nameOf(h)), true) });
    // One pick plus host_selection_retry_max_attempts (2) re-picks; the last one stands unchecked.
    expect(seen).toEqual(["h1", "h2"]);
    expect(nameOf(host)).toBe("h3");
  });

  it("skips previously attempted hosts with the previous_hosts predicate", () => {
    const balancer = createLoadBalancer(RR, SequenceRng.ofUint32(0));
    const hs = hosts(3);
    const attempted = new Set([hs[0]!, hs[1]!]);
    expect(nameOf(balancer.pick(hs, { shouldSelectAnotherHost: (h) => attempted.has(h) }))).toBe("h3");
  });

  it.each([{ lb: ring }, { lb: maglev }])("$lb.algorithm moves a retry off the host the key maps to", ({ lb }) => {
    const balancer = createLoadBalancer(lb, seededRng(1));
    const hs = hosts(4);
    const first = balancer.pick(hs, { hashKey: "alice" })!;
    const retry = balancer.pick(hs, { hashKey: "alice", shouldSelectAnotherHost: (h) => h === first });
    expect(retry).toBeDefined();
    expect(retry).not.toBe(first);
  });

  it.each([{ lb: ring }, { lb: maglev }])("$lb.algorithm maps a key to the same host across balancers (sidecars)", ({ lb }) => {
    const hs = hosts(6);
    const a = createLoadBalancer(lb, seededRng(1));
    const b = createLoadBalancer(lb, seededRng(2));
    for (const key of ["alice", "bob", "carol", "dave"]) expect(a.pick(hs, { hashKey: key })).toBe(b.pick(hs, { hashKey: key }));
  });

  it("hashes with a random 64-bit value when the request has no hash key", () => {
    const balancer = createLoadBalancer(ring, SequenceRng.ofUint32(0x12345678, 0x9abcdef0));
    const hs = hosts(4);
    const expected = chooseOnRing(buildRing(hs, 1024, DEFAULT_MAX_RING_SIZE), 0x123456789abcdef0n);
    expect(balancer.pick(hs)).toBe(expected);
  });

  it("hashes the key with XXH64, as Envoy's hash policy does", () => {
    const balancer = createLoadBalancer(ring, seededRng(1));
    const hs = hosts(4);
    const expected = chooseOnRing(buildRing(hs, 1024, DEFAULT_MAX_RING_SIZE), xxHash64("alice"));
    expect(balancer.pick(hs, { hashKey: "alice" })).toBe(expected);
  });

  it("PASSTHROUGH returns the request's original destination and ignores the endpoint list", () => {
    const balancer = createLoadBalancer({ type: "PASSTHROUGH" }, seededRng(1));
    const dest = createEndpointState(endpoint("192.168.1.9", 443));
    expect(balancer.pick(hosts(3), { originalDestination: dest })).toBe(dest);
    expect(balancer.pick(hosts(3))).toBeUndefined();
  });
});

describe("panicThresholdFor", () => {
  const od = { consecutive5xxErrors: 5, consecutiveGatewayErrors: 0, intervalMs: 10_000, baseEjectionTimeMs: 30_000, maxEjectionPercent: 10 };
  it.each([
    { cluster: {}, expected: 50, why: "no outlier detection: Envoy's default" },
    { cluster: { outlierDetection: { ...od, minHealthPercent: 0 } }, expected: 0, why: "Istio's default minHealthPercent disables panic" },
    { cluster: { outlierDetection: { ...od, minHealthPercent: 30 } }, expected: 30, why: "minHealthPercent becomes the threshold" },
  ])("is $expected ($why)", ({ cluster, expected }) => {
    expect(panicThresholdFor(cluster)).toBe(expected);
  });
});
