// Envoy LEAST_REQUEST: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-least-request
import { describe, expect, it } from "vitest";
import { seededRng, SequenceRng } from "../../clock.ts";
import { hosts, nameOf, tally } from "../test-support.ts";
import { dynamicWeight, LeastRequestLoadBalancer } from "./least-request.ts";

function withActive(active: readonly number[], weights?: readonly number[]) {
  const hs = hosts(active.length, weights);
  hs.forEach((h, i) => (h.activeRequests = active[i]!));
  return hs;
}

describe("LeastRequestLoadBalancer with equal weights (power of two choices)", () => {
  // Each row fixes the two random draws (Envoy: `random() % hosts`) and the loads.
  it.each([
    { active: [5, 1, 3], draws: [0, 1], expected: "h2", why: "the second sample is less loaded" },
    { active: [5, 1, 3], draws: [1, 0], expected: "h2", why: "the first sample is less loaded" },
    { active: [5, 1, 3], draws: [0, 2], expected: "h3", why: "the least loaded host was not sampled" },
    { active: [2, 2, 0], draws: [0, 1], expected: "h1", why: "a tie keeps the first sample" },
    { active: [4, 0, 0], draws: [3, 0], expected: "h1", why: "both draws hit the same host (3 % 3 = 0)" },
    { active: [9], draws: [7, 8], expected: "h1", why: "a single host is always chosen" },
  ])("picks $expected when $why", ({ active, draws, expected }) => {
    const rng = SequenceRng.ofUint32(...draws);
    const lb = new LeastRequestLoadBalancer(rng);
    expect(nameOf(lb.chooseHost(withActive(active)))).toBe(expected);
    expect(rng.draws).toBe(2);
  });

  it("sends an idle host about 1 - (3/4)^2 of the traffic when three others are busy", () => {
    const lb = new LeastRequestLoadBalancer(seededRng(42));
    const hs = withActive([0, 10, 10, 10]);
    const n = 20_000;
    const idle = tally(Array.from({ length: n }, () => lb.chooseHost(hs))).h1! / n;
    expect(idle).toBeGreaterThan(7 / 16 - 0.02);
    expect(idle).toBeLessThan(7 / 16 + 0.02);
  });

  it("follows the load as requests start and finish", () => {
    const lb = new LeastRequestLoadBalancer(seededRng(1));
    const hs = withActive([0, 0, 0, 0]);
    // Requests that never finish: P2C keeps the spread tight.
    for (let i = 0; i < 400; i++) lb.chooseHost(hs)!.activeRequests++;
    const loads = hs.map((h) => h.activeRequests);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(6);
  });
});

describe("LeastRequestLoadBalancer with unequal weights (EDF on weight / (active + 1))", () => {
  it.each([
    { weights: [1, 2], active: [0, 0], picks: 300, expected: { h1: 100, h2: 200 } },
    { weights: [1, 2], active: [0, 3], picks: 300, expected: { h1: 200, h2: 100 } },
    { weights: [3, 1], active: [2, 0], picks: 200, expected: { h1: 100, h2: 100 } },
  ])("weights $weights with $active active requests split $expected", ({ weights, active, picks, expected }) => {
    const lb = new LeastRequestLoadBalancer(SequenceRng.ofUint32(0));
    const hs = withActive(active, weights);
    expect(tally(Array.from({ length: picks }, () => lb.chooseHost(hs)))).toEqual(expected);
  });

  it.each([
    { weight: 2, active: 0, expected: 2 },
    { weight: 2, active: 3, expected: 0.5 },
    { weight: 0, active: 1, expected: 0.5 },
  ])("weighs weight $weight with $active active requests as $expected", ({ weight, active, expected }) => {
    const [h] = withActive([active], [weight]);
    expect(dynamicWeight(h!)).toBe(expected);
  });
});
