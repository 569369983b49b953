import { describe, expect, it } from "vitest";
import { evenSplit, percentagesOf, roundToTotal, setLocked, setWeight, totalOf, type WeightRow } from "./weights.ts";

const rows = (spec: string): WeightRow[] =>
  // "v1=80 v2=0 v3=20L": L marks a locked row
  spec.split(" ").map((s) => {
    const [subset, w] = s.split("=") as [string, string];
    return { subset, weight: parseInt(w, 10), locked: w.endsWith("L") };
  });
const weights = (r: readonly WeightRow[]) => r.map((x) => x.weight);

describe("roundToTotal", () => {
  it.each([
    [[1, 1, 1], 100, [34, 33, 33]],
    [[1, 1, 1, 1, 1, 1], 100, [17, 17, 17, 17, 16, 16]],
    [[80, 20], 100, [80, 20]],
    [[8, 2], 100, [80, 20]],
    [[2, 1], 50, [33, 17]],
    [[0, 0], 10, [5, 5]],
    [[1, 1, 1], 0, [0, 0, 0]],
    [[33.4, 33.3, 33.3], 100, [34, 33, 33]],
    [[-5, 10], 100, [0, 100]],
  ])("splits %j into integers summing to %i: %j", (shares, total, expected) => {
    const out = roundToTotal(shares, total);
    expect(out).toEqual(expected);
    expect(out.reduce((a, b) => a + b, 0)).toBe(total);
  });

  it("always sums to the total for awkward shares", () => {
    for (let n = 1; n <= 12; n++) {
      for (let total = 0; total <= 100; total += 7) {
        const shares = Array.from({ length: n }, (_, i) => ((i * 37) % 11) + 0.3);
        const out = roundToTotal(shares, total);
        expect(out.reduce((a, b) => a + b, 0)).toBe(total);
        expect(out.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      }
    }
  });

  it("returns nothing for no rows", () => {
    expect(roundToTotal([], 100)).toEqual([]);
  });
});

describe("evenSplit", () => {
  it("splits 100 over every row when none is locked", () => {
    expect(weights(evenSplit(rows("v1=80 v2=0 v3=20")))).toEqual([34, 33, 33]);
    expect(weights(evenSplit(rows("v1=100 v2=0")))).toEqual([50, 50]);
  });

  it("keeps locked rows and splits what they leave over the others", () => {
    expect(weights(evenSplit(rows("v1=10L v2=0 v3=20")))).toEqual([10, 45, 45]);
    expect(weights(evenSplit(rows("v1=70L v2=0 v3=0 v4=0")))).toEqual([70, 10, 10, 10]);
  });

  it("gives free rows nothing when locked rows already hold more than 100", () => {
    expect(weights(evenSplit(rows("v1=60L v2=50L v3=10")))).toEqual([60, 50, 0]);
  });

  it("changes nothing when every row is locked", () => {
    expect(weights(evenSplit(rows("v1=60L v2=30L")))).toEqual([60, 30]);
  });
});

describe("setWeight", () => {
  it("moves the other rows in proportion to their weights so the total stays 100", () => {
    expect(weights(setWeight(rows("v1=80 v2=0 v3=20"), 0, 50))).toEqual([50, 0, 50]);
    expect(weights(setWeight(rows("v1=50 v2=30 v3=20"), 0, 80))).toEqual([80, 12, 8]);
  });

  it("splits evenly among other rows that are all at 0", () => {
    expect(weights(setWeight(rows("v1=100 v2=0 v3=0"), 0, 40))).toEqual([40, 30, 30]);
  });

  it("keeps locked rows and clamps the value to what they leave", () => {
    expect(weights(setWeight(rows("v1=30L v2=50 v3=20"), 1, 60))).toEqual([30, 60, 10]);
    expect(weights(setWeight(rows("v1=30L v2=50 v3=20"), 1, 90))).toEqual([30, 70, 0]);
  });

  it("ignores changes to a locked row", () => {
    expect(weights(setWeight(rows("v1=30L v2=70"), 0, 50))).toEqual([30, 70]);
  });

  it("clamps to 0..100 and rounds to whole numbers", () => {
    expect(weights(setWeight(rows("v1=50 v2=50"), 0, 150))).toEqual([100, 0]);
    expect(weights(setWeight(rows("v1=50 v2=50"), 0, -10))).toEqual([0, 100]);
    expect(weights(setWeight(rows("v1=50 v2=50"), 0, 33.6))).toEqual([34, 66]);
  });

  it("ignores a value that is not a number", () => {
    expect(weights(setWeight(rows("v1=50 v2=50"), 0, Number.NaN))).toEqual([50, 50]);
  });

  it("lets the total leave 100 when no other row is free to move, so the total can warn", () => {
    const out = setWeight(rows("v1=30L v2=70"), 1, 60);
    expect(weights(out)).toEqual([30, 60]);
    expect(totalOf(out)).toBe(90);
  });

  it("brings a total that is off back to 100 once another row can move", () => {
    expect(weights(setWeight(rows("v1=90 v2=90 v3=20"), 2, 20))).toEqual([40, 40, 20]);
  });
});

describe("setLocked", () => {
  it("locks one row and leaves the others", () => {
    expect(setLocked(rows("v1=50 v2=50"), 1, true).map((r) => r.locked)).toEqual([false, true]);
  });
});

describe("percentagesOf", () => {
  it.each([
    [[80, 20], [80, 20]],
    [[8, 2], [80, 20]],
    [[undefined], [100]],
    [[25], [100]],
    [[1, 1, 1], [34, 33, 33]],
    [[undefined, undefined], [50, 50]],
    [[], []],
  ])("reads route weights %j as %j", (input, expected) => {
    expect(percentagesOf(input)).toEqual(expected);
  });
});
