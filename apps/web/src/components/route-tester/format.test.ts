import { describe, expect, it } from "vitest";
import { formatLimit, formatMs, formatPercent } from "./format";

describe("route tester formats", () => {
  it.each([
    [5000, "5s"],
    [250, "250ms"],
    [90_000, "1m30s"],
    [120_000, "2m"],
    [1500, "1.5s"],
    [0, "0s"],
  ])("formats %d ms as %s", (ms, text) => expect(formatMs(ms)).toBe(text));

  it("shows Envoy's unlimited", () => {
    expect(formatLimit(4294967295)).toBe("unlimited");
    expect(formatLimit(10)).toBe("10");
  });

  it.each([
    [0.8, "80%"],
    [1 / 3, "33.3%"],
    [1, "100%"],
  ])("formats the chance %d as %s", (c, text) => expect(formatPercent(c)).toBe(text));
});
