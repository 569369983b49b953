// Panic threshold: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/panic_threshold
import { describe, expect, it } from "vitest";
import { hosts, nameOf } from "../test-support.ts";
import { allWeightsEqual, HostSetMemo, hostsToUse, weightOf } from "./host-set.ts";

describe("hostsToUse", () => {
  it.each([
    { n: 4, out: [], threshold: 50, expected: ["h1", "h2", "h3", "h4"], source: "healthy", why: "all healthy" },
    { n: 4, out: [1], threshold: 50, expected: ["h1", "h3", "h4"], source: "healthy", why: "75% healthy: the ejected host is skipped" },
    { n: 4, out: [0, 1, 2], threshold: 50, expected: ["h1", "h2", "h3", "h4"], source: "all", why: "25% < 50%: panic" },
    { n: 4, out: [0, 1, 2], threshold: 0, expected: ["h4"], source: "healthy", why: "panic disabled" },
    { n: 2, out: [0, 1], threshold: 0, expected: [], source: "healthy", why: "panic disabled and nothing healthy" },
    { n: 0, out: [], threshold: 50, expected: [], source: "healthy", why: "no endpoints" },
  ])("$n hosts with $out ejected, threshold $threshold → $expected ($why)", ({ n, out, threshold, expected, source }) => {
    const hs = hosts(n);
    for (const i of out) hs[i]!.ejected = true;
    const r = hostsToUse(hs, threshold);
    expect(r.hosts.map(nameOf)).toEqual(expected);
    expect(r.source).toBe(source);
  });

  it("returns the caller's array untouched when nothing is ejected", () => {
    const hs = hosts(3);
    expect(hostsToUse(hs, 50).hosts).toBe(hs);
  });
});

describe("weights", () => {
  it.each([
    { weights: [1, 1, 1], equal: true },
    { weights: [2, 2], equal: true },
    { weights: [1, 2], equal: false },
    { weights: [0, 1], equal: true }, // 0 counts as Envoy's minimum weight 1
  ])("weights $weights are equal: $equal", ({ weights, equal }) => {
    expect(allWeightsEqual(hosts(weights.length, weights))).toBe(equal);
  });

  it.each([
    { weight: 3, expected: 3 },
    { weight: 0, expected: 1 },
    { weight: -2, expected: 1 },
    { weight: Number.NaN, expected: 1 },
  ])("weighs $weight as $expected", ({ weight, expected }) => {
    expect(weightOf(hosts(1, [weight])[0]!)).toBe(expected);
  });
});

describe("HostSetMemo", () => {
  it("notices hosts joining, leaving and changing weight, and nothing else", () => {
    const memo = new HostSetMemo();
    const hs = hosts(3);
    expect(memo.changed(hs)).toBe(true);
    expect(memo.changed([...hs])).toBe(false);
    expect(memo.changed(hs.slice(0, 2))).toBe(true);
    expect(memo.changed(hs.slice(0, 2))).toBe(false);
    hs[0]!.endpoint = { ...hs[0]!.endpoint, weight: 5 };
    expect(memo.changed(hs.slice(0, 2))).toBe(true);
  });
});
