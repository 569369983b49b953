// Envoy RANDOM: https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#random
import { describe, expect, it } from "vitest";
import { seededRng, SequenceRng } from "../../clock.ts";
import { hosts, nameOf, tally } from "../test-support.ts";
import { RandomLoadBalancer } from "./random.ts";

describe("RandomLoadBalancer", () => {
  it.each([
    { draw: 0, expected: "h1" },
    { draw: 1, expected: "h2" },
    { draw: 2, expected: "h3" },
    { draw: 3, expected: "h1" },
    { draw: 2 ** 32 - 1, expected: "h1" }, // 4294967295 % 3 = 0
  ])("picks random() % hosts: draw $draw gives $expected", ({ draw, expected }) => {
    const lb = new RandomLoadBalancer(SequenceRng.ofUint32(draw));
    expect(nameOf(lb.chooseHost(hosts(3)))).toBe(expected);
  });

  it("ignores endpoint weights, as Envoy's random balancer does", () => {
    const lb = new RandomLoadBalancer(seededRng(7));
    const hs = hosts(2, [1, 9]);
    const share = tally(Array.from({ length: 10_000 }, () => lb.chooseHost(hs))).h1! / 10_000;
    expect(share).toBeGreaterThan(0.47);
    expect(share).toBeLessThan(0.53);
  });
});
