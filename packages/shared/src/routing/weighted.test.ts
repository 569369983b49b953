import { describe, expect, it } from "vitest";
import { pickWeighted } from "./weighted.ts";

const c = (cluster: string, weight: number) => ({ cluster, weight });

describe("pickWeighted", () => {
  it.each([
    { name: "a single destination whatever its weight", clusters: [c("a", 0)], roll: 0.7, want: "a" },
    { name: "the first of 80/20 below 0.8", clusters: [c("a", 80), c("b", 20)], roll: 0.79, want: "a" },
    { name: "the second of 80/20 from 0.8", clusters: [c("a", 80), c("b", 20)], roll: 0.8, want: "b" },
    { name: "weights that do not add up to 100 (550/500)", clusters: [c("a", 550), c("b", 500)], roll: 0.53, want: "b" },
    { name: "never a zero-weight destination", clusters: [c("a", 0), c("b", 5), c("c", 0)], roll: 0.999999, want: "b" },
    { name: "the first when all weights are zero", clusters: [c("a", 0), c("b", 0)], roll: 0.9, want: "a" },
  ])("picks $name", ({ clusters, roll, want }) => {
    expect(pickWeighted(clusters, roll)?.cluster).toBe(want);
  });

  it("splits 10,000 evenly spaced rolls exactly in proportion", () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[pickWeighted([c("a", 50), c("b", 30), c("c", 20)], i / 10_000)!.cluster]!++;
    expect(counts).toEqual({ a: 5000, b: 3000, c: 2000 });
  });
});
