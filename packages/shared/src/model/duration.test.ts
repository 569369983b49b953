import { describe, expect, it } from "vitest";
import { duration, parseDurationNanos } from "./common.ts";

const messages = (text: string) => {
  const r = duration.safeParse(text);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe("duration (Istio ValidateDuration)", () => {
  it.each(["1ms", "10s", "1.5s", "1m30s", "24h", "+2s"])("accepts %s", (text) => {
    expect(messages(text)).toEqual([]);
  });
  it.each([
    ["-1s", "duration must be greater than 1ms"],
    ["-0s", "duration must be greater than 1ms"],
    ["0s", "duration must be greater than 1ms"],
    ["1.0000001s", "only durations to ms precision are supported"],
    ["10", "expected a number with a unit"],
    ["-", "expected a number with a unit"],
  ])("rejects %s: %s", (text, message) => {
    expect(messages(text).join()).toContain(message);
  });
});

describe("parseDurationNanos", () => {
  it("keeps the sign", () => {
    expect([parseDurationNanos("1.5s"), parseDurationNanos("-2ms"), parseDurationNanos("x")]).toEqual([1.5e9, -2e6, undefined]);
  });
});
