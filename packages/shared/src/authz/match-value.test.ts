import { describe, expect, it } from "vitest";
import { ipInBlock, matchesPath, matchesValue } from "./match-value.ts";

describe("matchesValue", () => {
  it.each([
    ["exact", "GET", "GET", true],
    ["exact, other value", "GET", "POST", false],
    ["prefix", "/api/*", "/api/v1", true],
    ["prefix, other value", "/api/*", "/apx", false],
    ["suffix", "*.example.com", "a.example.com", true],
    ["suffix, other value", "*.example.com", "example.org", false],
    ["presence", "*", "", true],
    ["presence of a missing value", "*", undefined, false],
  ] as const)("%s: %s vs %s is %s", (_n, pattern, value, want) => {
    expect(matchesValue(pattern, value)).toBe(want);
  });

  it("compares hosts without regard to case when asked", () => {
    expect(matchesValue("Reviews.Default", "reviews.default", true)).toBe(true);
  });
});

describe("matchesPath", () => {
  it.each([
    ["/store/{*}/items", "/store/a/items", true],
    ["/store/{*}/items", "/store//items", false],
    ["/store/{*}/items", "/store/a/b/items", false],
    ["/store/{**}", "/store/a/b", true],
    ["/store/{**}", "/store/", false],
    ["/plain", "/plain", true],
  ] as const)("%s vs %s is %s", (pattern, path, want) => {
    expect(matchesPath(pattern, path)).toBe(want);
  });
});

describe("ipInBlock", () => {
  it.each([
    ["10.0.0.0/8", "10.1.2.3", true],
    ["10.0.0.0/8", "11.1.2.3", false],
    ["192.168.1.7", "192.168.1.7", true],
    ["192.168.1.0/25", "192.168.1.200", false],
    ["127.0.0.1/32", "::ffff:127.0.0.1", true],
    ["2001:db8::/32", "2001:db8:1::5", true],
    ["2001:db8::/32", "2001:db9::5", false],
    ["10.0.0.0/8", "2001:db8::1", false],
  ] as const)("%s contains %s: %s", (block, ip, want) => {
    expect(ipInBlock(block, ip)).toBe(want);
  });
});
