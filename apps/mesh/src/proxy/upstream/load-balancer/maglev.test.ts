// Envoy Maglev: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#maglev
import { describe, expect, it } from "vitest";
import { hosts, nameOf } from "../test-support.ts";
import { buildMaglevTable, chooseInTable, isPrime, MaglevLoadBalancer, type MaglevTable } from "./maglev.ts";

function slotCounts(table: MaglevTable): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of table.slots) out[nameOf(table.hosts[s])] = (out[nameOf(table.hosts[s])] ?? 0) + 1;
  return out;
}

describe("buildMaglevTable", () => {
  it.each([
    { n: 3, weights: [1, 1, 1], size: 7, expected: { h1: 3, h2: 2, h3: 2 } },
    { n: 10, weights: Array(10).fill(1), size: 65537, expected: null },
    { n: 2, weights: [1, 3], size: 1009, expected: { h1: 253, h2: 756 } },
    { n: 3, weights: [1, 2, 1], size: 307, expected: { h1: 77, h2: 153, h3: 77 } },
  ])("fills all $size slots in proportion to weights $weights", ({ n, weights, size, expected }) => {
    const table = buildMaglevTable(hosts(n, weights), size);
    expect(table.slots.every((s) => s >= 0)).toBe(true);
    const counts = slotCounts(table);
    if (expected) expect(counts).toEqual(expected);
    else expect(Math.max(...Object.values(counts)) - Math.min(...Object.values(counts))).toBeLessThanOrEqual(1);
  });

  it("builds the same table whatever order the hosts are listed in", () => {
    const hs = hosts(6);
    const a = buildMaglevTable(hs, 251);
    const b = buildMaglevTable([...hs].reverse(), 251);
    expect([...a.slots].map((s) => a.hosts[s])).toEqual([...b.slots].map((s) => b.hosts[s]));
  });

  it("reassigns under 1% of the other hosts' slots when one of ten hosts leaves", () => {
    const ten = hosts(10);
    const before = buildMaglevTable(ten, 65537);
    const after = buildMaglevTable(ten.slice(0, 9), 65537);
    let others = 0;
    let moved = 0;
    for (let i = 0; i < 65537; i++) {
      const owner = before.hosts[before.slots[i]!];
      const now = after.hosts[after.slots[i]!];
      if (owner === ten[9]) {
        expect(now).not.toBe(ten[9]);
        continue;
      }
      others++;
      if (owner !== now) moved++;
    }
    expect(moved / others).toBeLessThan(0.01);
  });
});

describe("chooseInTable", () => {
  const [a, b, c] = hosts(3);
  const table: MaglevTable = { slots: Int32Array.from([0, 1, 2, 0, 1, 2, 0]), hosts: [a!, b!, c!] };
  it.each([
    { hash: 0n, expected: "h1" },
    { hash: 8n, expected: "h2" }, // 8 mod 7 = 1
    { hash: 12n, expected: "h3" }, // 12 mod 7 = 5
    { hash: (1n << 64n) - 1n, expected: "h2" }, // (2^64 - 1) mod 7 = 1
  ])("maps hash $hash to table[hash mod M] = $expected", ({ hash, expected }) => {
    expect(nameOf(chooseInTable(table, hash))).toBe(expected);
  });

  it("flips the hash with ~0 - attempt + 1 on a retry attempt, as Envoy does", () => {
    const hash = 5n;
    const flipped = hash ^ ((1n << 64n) - 1n); // attempt 1: ~0ULL - 1 + 1
    expect(chooseInTable(table, hash, 1)).toBe(table.hosts[table.slots[Number(flipped % 7n)]!]);
  });
});

describe("MaglevLoadBalancer", () => {
  it.each([
    { size: 65537, ok: true },
    { size: 0, ok: true }, // unset: Envoy's default 65537
    { size: 1009, ok: true },
    { size: 1000, ok: false },
  ])("accepts table size $size only when prime: $ok", ({ size, ok }) => {
    if (ok) expect(() => new MaglevLoadBalancer(size)).not.toThrow();
    else expect(() => new MaglevLoadBalancer(size)).toThrow(/must be prime number/);
  });

  it("sends the same hash to the same host until the host set changes", () => {
    const lb = new MaglevLoadBalancer(1009);
    const hs = hosts(4);
    const picks = [123n, 456n, 789n].map((h) => lb.chooseHost(hs, 0, h));
    expect([123n, 456n, 789n].map((h) => lb.chooseHost(hs, 0, h))).toEqual(picks);
  });

  it.each([
    { n: 2, prime: true },
    { n: 65537, prime: true },
    { n: 65535, prime: false },
    { n: 1, prime: false },
  ])("isPrime($n) is $prime", ({ n, prime }) => {
    expect(isPrime(n)).toBe(prime);
  });
});
