// Envoy ring hash: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#ring-hash
import { describe, expect, it } from "vitest";
import type { EndpointState } from "../endpoint-state.ts";
import { hosts, nameOf, tally } from "../test-support.ts";
import { buildRing, chooseOnRing, RingHashLoadBalancer } from "./ring-hash.ts";
import { xxHash64 } from "./xxhash64.ts";

const keys = Array.from({ length: 3000 }, (_, i) => `user-${i}`);

function owners(lb: RingHashLoadBalancer, hs: readonly EndpointState[]): Map<string, EndpointState> {
  return new Map(keys.map((k) => [k, lb.chooseHost(hs, 0, xxHash64(k))!]));
}

describe("chooseOnRing", () => {
  const [a, b, c] = hosts(3);
  const ring = { hashes: BigUint64Array.from([10n, 20n, 30n]), hosts: [a!, b!, c!] };
  it.each([
    { hash: 0n, attempt: 0, expected: "h1", why: "below the first entry" },
    { hash: 10n, attempt: 0, expected: "h1", why: "exactly on an entry" },
    { hash: 11n, attempt: 0, expected: "h2", why: "between entries: the next one clockwise" },
    { hash: 30n, attempt: 0, expected: "h3", why: "on the last entry" },
    { hash: 31n, attempt: 0, expected: "h1", why: "past the last entry: wraps around" },
    { hash: 11n, attempt: 1, expected: "h3", why: "a retry attempt steps one entry further" },
    { hash: 31n, attempt: 2, expected: "h3", why: "a retry attempt wraps around too" },
  ])("maps hash $hash (attempt $attempt) to $expected: $why", ({ hash, attempt, expected }) => {
    expect(nameOf(chooseOnRing(ring, hash, attempt))).toBe(expected);
  });

  it("returns undefined on an empty ring", () => {
    expect(chooseOnRing({ hashes: new BigUint64Array(0), hosts: [] }, 5n)).toBeUndefined();
  });
});

describe("buildRing", () => {
  it.each([
    // scale = ceil(min_normalized_weight × min_ring_size) / min_normalized_weight, capped at max.
    { n: 3, weights: [1, 1, 1], min: 1024, max: 8 << 20, size: 1026, perHost: { h1: 342, h2: 342, h3: 342 } },
    { n: 2, weights: [1, 3], min: 1024, max: 8 << 20, size: 1024, perHost: { h1: 256, h2: 768 } },
    { n: 4, weights: [1, 1, 1, 1], min: 1024, max: 6, size: 6, perHost: { h1: 2, h2: 1, h3: 2, h4: 1 } },
    { n: 1, weights: [1], min: 8, max: 8 << 20, size: 8, perHost: { h1: 8 } },
  ])("puts $size entries for weights $weights (min $min, max $max)", ({ n, weights, min, max, size, perHost }) => {
    const ring = buildRing(hosts(n, weights), min, max);
    expect(ring.hosts).toHaveLength(size);
    expect(tally(ring.hosts)).toEqual(perHost);
    for (let i = 1; i < ring.hashes.length; i++) expect(ring.hashes[i - 1]! <= ring.hashes[i]!).toBe(true);
  });

  it("hashes `<address:port>_<i>` with XXH64 like Envoy", () => {
    const [h] = hosts(1);
    const ring = buildRing([h!], 2, 2);
    const expected = [xxHash64("10.0.0.1:8080_0"), xxHash64("10.0.0.1:8080_1")].sort((x, y) => (x < y ? -1 : 1));
    expect([...ring.hashes]).toEqual(expected);
  });
});

describe("RingHashLoadBalancer", () => {
  it("sends the same key to the same host every time", () => {
    const lb = new RingHashLoadBalancer();
    const hs = hosts(5);
    const first = owners(lb, hs);
    expect(owners(lb, hs)).toEqual(first);
  });

  it("spreads keys over equal hosts within 25% of an even share", () => {
    const lb = new RingHashLoadBalancer();
    const counts = Object.values(tally([...owners(lb, hosts(4)).values()]));
    for (const c of counts) expect(Math.abs(c - keys.length / 4)).toBeLessThan(keys.length / 4 / 4);
  });

  // Envoy rescales the ring to keep it at least minimum_ring_size, so every host's entry
  // count changes with the host count (1024/4 = 256 → 1025/5 = 205): besides the keys the
  // new host takes, about a tenth move between the old hosts. Modulo hashing would move 80%.
  it("moves about a fifth of the keys, mostly onto the new host, when a fifth host is added", () => {
    const lb = new RingHashLoadBalancer();
    const five = hosts(5);
    const before = owners(lb, five.slice(0, 4));
    const after = owners(lb, five);
    let toNew = 0;
    let between = 0;
    for (const k of keys) {
      if (before.get(k) === after.get(k)) continue;
      if (nameOf(after.get(k)) === "h5") toNew++;
      else between++;
    }
    expect(toNew / keys.length).toBeGreaterThan(0.15);
    expect(toNew / keys.length).toBeLessThan(0.3);
    expect(between / keys.length).toBeLessThan(0.15);
  });

  it("moves every key of a removed host and few others", () => {
    const lb = new RingHashLoadBalancer();
    const five = hosts(5);
    const before = owners(lb, five);
    const after = owners(lb, [five[0]!, five[1]!, five[3]!, five[4]!]);
    let collateral = 0;
    for (const k of keys) {
      if (nameOf(before.get(k)) === "h3") expect(nameOf(after.get(k))).not.toBe("h3");
      else if (after.get(k) !== before.get(k)) collateral++;
    }
    expect(collateral / keys.length).toBeLessThan(0.15);
  });

  it("moves only the removed host's keys when the other hosts keep their entries", () => {
    // Ring sizes equal to the host counts give every host exactly one entry (`<addr>_0`)
    // before and after, so the remaining arcs are unchanged.
    const lb = new RingHashLoadBalancer(4, 4);
    const four = hosts(4);
    const before = owners(lb, four);
    const lbThree = new RingHashLoadBalancer(3, 3);
    const after = owners(lbThree, four.slice(0, 3));
    for (const k of keys) if (nameOf(before.get(k)) !== "h4") expect(after.get(k)).toBe(before.get(k));
  });

  it.each([
    { min: 0, expected: 1026 },
    { min: 64, expected: 66 },
  ])("uses Envoy's 1024 minimum ring size when ringSize is unset (ringSize $min → $expected entries)", ({ min, expected }) => {
    const lb = new RingHashLoadBalancer(min);
    lb.chooseHost(hosts(3), 0, 1n);
    expect(lb.ringSize).toBe(expected);
  });

  it("rejects a minimum ring size above the maximum, as Envoy does", () => {
    expect(() => new RingHashLoadBalancer(10, 5)).toThrow(/minimum_ring_size \(10\) > maximum_ring_size \(5\)/);
  });
});
