import { describe, expect, it } from "vitest";
import { isIstioDns1123Label } from "./dns-label.ts";

describe("isIstioDns1123Label", () => {
  it.each([
    ["v1", true],
    ["V1", true],
    ["v2-mysql", true],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
    ["-v1", false],
    ["v1-", false],
    ["v_1", false],
    ["v1.2", false],
    ["", false],
  ])("judges %j: %s (upper case allowed, as in Istio)", (s, ok) => expect(isIstioDns1123Label(s)).toBe(ok));
});
