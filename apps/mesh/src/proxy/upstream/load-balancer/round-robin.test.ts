// Envoy ROUND_ROBIN: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-round-robin
import { describe, expect, it } from "vitest";
import { SequenceRng } from "../../clock.ts";
import { hosts, nameOf, tally } from "../test-support.ts";
import { RoundRobinLoadBalancer } from "./round-robin.ts";

describe("RoundRobinLoadBalancer", () => {
  it.each([
    { seed: 0, expected: ["h1", "h2", "h3", "h1", "h2", "h3"] },
    { seed: 1, expected: ["h2", "h3", "h1", "h2", "h3", "h1"] },
    { seed: 5, expected: ["h3", "h1", "h2", "h3", "h1", "h2"] },
  ])("rotates equal-weight hosts in order starting at the random seed $seed", ({ seed, expected }) => {
    const lb = new RoundRobinLoadBalancer(SequenceRng.ofUint32(seed));
    const hs = hosts(3);
    expect(Array.from({ length: 6 }, () => nameOf(lb.chooseHost(hs)))).toEqual(expected);
  });

  it("keeps rotating over the new list when a host leaves", () => {
    const lb = new RoundRobinLoadBalancer(SequenceRng.ofUint32(0));
    const hs = hosts(3);
    expect(nameOf(lb.chooseHost(hs))).toBe("h1");
    const two = [hs[0]!, hs[2]!];
    expect([lb.chooseHost(two), lb.chooseHost(two), lb.chooseHost(two)].map(nameOf)).toEqual(["h3", "h1", "h3"]);
  });

  it.each([
    { weights: [1, 2, 3], picks: 600, expected: { h1: 100, h2: 200, h3: 300 } },
    { weights: [1, 3], picks: 400, expected: { h1: 100, h2: 300 } },
    { weights: [5, 1], picks: 60, expected: { h1: 50, h2: 10 } },
  ])("serves weights $weights in exact proportion over whole rounds", ({ weights, picks, expected }) => {
    const lb = new RoundRobinLoadBalancer(SequenceRng.ofUint32(7));
    const hs = hosts(weights.length, weights);
    expect(tally(Array.from({ length: picks }, () => lb.chooseHost(hs)))).toEqual(expected);
  });

  it("interleaves a weighted schedule instead of bursting the heavy host", () => {
    const lb = new RoundRobinLoadBalancer(SequenceRng.ofUint32(0));
    const hs = hosts(2, [1, 3]);
    const seq = Array.from({ length: 8 }, () => nameOf(lb.chooseHost(hs)));
    // Every window of four picks holds the light host exactly once.
    expect(seq.slice(0, 4).filter((n) => n === "h1")).toHaveLength(1);
    expect(seq.slice(4, 8).filter((n) => n === "h1")).toHaveLength(1);
  });

  it("rebuilds the weighted schedule when a host's weight changes", () => {
    const lb = new RoundRobinLoadBalancer(SequenceRng.ofUint32(0));
    const hs = hosts(2, [1, 3]);
    lb.chooseHost(hs);
    hs[0]!.endpoint = { ...hs[0]!.endpoint, weight: 3 };
    hs[1]!.endpoint = { ...hs[1]!.endpoint, weight: 1 };
    expect(tally(Array.from({ length: 400 }, () => lb.chooseHost(hs)))).toEqual({ h1: 300, h2: 100 });
  });
});
