import { describe, expect, it } from "vitest";
import { durationNanos, signedDuration } from "./signed-duration.ts";

const messages = (text: string) => {
  const r = signedDuration.safeParse(text);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe("signedDuration", () => {
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

describe("durationNanos", () => {
  it("keeps the sign", () => {
    expect([durationNanos("1.5s"), durationNanos("-2ms"), durationNanos("x")]).toEqual([1.5e9, -2e6, undefined]);
  });
});
