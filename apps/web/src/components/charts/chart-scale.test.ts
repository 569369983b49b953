import { describe, expect, it } from "vitest";
import { extents, formatValue, linePath, nearestIndex, niceStep, sampleInterval, timeTicks, yAxis } from "./chart-scale.ts";

describe("extents", () => {
  it("spans every finite point of every series", () => {
    expect(
      extents([
        [
          [10, 1],
          [20, Number.NaN],
        ],
        [[5, 7]],
      ]),
    ).toEqual({ x: { min: 5, max: 10 }, y: { min: 1, max: 7 } });
  });
  it("is undefined without points", () => {
    expect(extents([[], []])).toBeUndefined();
  });
});

describe("niceStep", () => {
  it.each([
    [10, 4, 2],
    [1, 4, 0.2],
    [0.37, 4, 0.1],
    [730, 4, 200],
    [100, 4, 20],
    [40, 4, 10],
  ])("span %d in %d intervals steps by %d", (span, count, step) => {
    expect(niceStep(span, count)).toBeCloseTo(step, 10);
  });
});

describe("yAxis", () => {
  it("starts at zero and ends on a tick above the largest value", () => {
    expect(yAxis({ min: 3, max: 9.2 })).toEqual({ min: 0, max: 10, ticks: [0, 2, 4, 6, 8, 10] });
  });
  it("gives a flat zero line the range 0..1", () => {
    const axis = yAxis({ min: 0, max: 0 });
    expect(axis.min).toBe(0);
    expect(axis.max).toBe(1);
    expect(axis.ticks[0]).toBe(0);
    expect(axis.ticks.at(-1)).toBe(1);
  });
  it("keeps small fractional ticks free of float noise", () => {
    expect(yAxis({ min: 0, max: 0.3 }).ticks).toEqual([0, 0.1, 0.2, 0.3]);
  });
});

describe("timeTicks", () => {
  it("puts ticks on whole minutes over an hour", () => {
    const ticks = timeTicks({ min: 1_000_000_010, max: 1_000_003_610 });
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(5);
    for (const t of ticks) expect(t % 60).toBe(0);
  });
  it("uses seconds steps over a minute", () => {
    const ticks = timeTicks({ min: 100, max: 160 });
    expect(ticks).toEqual([105, 120, 135, 150]);
  });
});

describe("formatValue", () => {
  it.each([
    [0, "req/s", "0 req/s"],
    [3.14159, "req/s", "3.14 req/s"],
    [42.25, "ms", "42.3 ms"],
    [512, "ms", "512 ms"],
    [12_345, "ms", "12.3k ms"],
    [2.5, "%", "2.5%"],
    [0.004, "", "4.0e-3"],
  ])("%d %s reads %s", (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });
});

describe("nearestIndex", () => {
  const points = [
    [0, 1],
    [10, 2],
    [20, 3],
  ] as const;
  it.each([
    [-5, 0],
    [4, 0],
    [6, 1],
    [15, 1],
    [16, 2],
    [99, 2],
  ])("x=%d picks index %d", (x, i) => {
    expect(nearestIndex(points, x)).toBe(i);
  });
  it("is -1 for no points", () => {
    expect(nearestIndex([], 3)).toBe(-1);
  });
});

describe("linePath", () => {
  const id = (v: number) => v;
  it("breaks the line across missing samples", () => {
    const d = linePath(
      [
        [0, 1],
        [5, 2],
        [30, 3],
        [35, 4],
      ],
      id,
      id,
      7.5,
    );
    expect(d).toBe("M0,1L5,2M30,3L35,4");
  });
  it("skips non-finite values", () => {
    expect(
      linePath(
        [
          [0, 1],
          [5, Number.NaN],
          [10, 2],
        ],
        id,
        id,
        100,
      ),
    ).toBe("M0,1M10,2");
  });
});

describe("sampleInterval", () => {
  it("is the smallest spacing", () => {
    expect(
      sampleInterval([
        [0, 0],
        [15, 0],
        [20, 0],
      ]),
    ).toBe(5);
  });
});
