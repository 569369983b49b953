import { describe, expect, it } from "vitest";
import { fqdnError, gatewayHostError, hostMatches, hostSubsetOf, wildcardHostError } from "./host-name.ts";

describe("wildcardHostError", () => {
  it.each(["reviews", "reviews.prod.svc.cluster.local", "*.example.com", "*", "istio.io.", "Upper.Case.Com"])("accepts %s", (h) => {
    expect(wildcardHostError(h)).toBeUndefined();
  });
  it.each([
    ["", "empty domain name not allowed"],
    ["foo.ba!r", 'domain name "ba!r" invalid (label "ba!r" invalid)'],
    ["foo.*.bar", 'domain name "*.bar" invalid (label "*" invalid)'],
    ["a!.b", 'domain name "a!.b" invalid (label "a!" invalid)'],
    ["10.0.0.1", 'domain name "0.0.1" invalid (top level domain "1" cannot be all-numeric)'],
    ["default/baz", 'domain name "default/baz" invalid (label "default/baz" invalid)'],
  ])("rejects %j: %s", (h, message) => {
    expect(wildcardHostError(h)).toBe(message);
  });
});

describe("fqdnError", () => {
  it("rejects a wildcard, which only hosts may use", () => {
    expect(fqdnError("*.example.com")).toBe('domain name "*.example.com" invalid (label "*" invalid)');
  });
  it("accepts the mesh gateway name", () => {
    expect(fqdnError("mesh")).toBeUndefined();
  });
});

describe("gatewayHostError", () => {
  it("accepts Istio's generated outbound_ SNI names only as SNI", () => {
    expect(gatewayHostError("outbound_.80_._.e2e.foobar.mesh", true)).toBeUndefined();
    expect(gatewayHostError("outbound_.80_._.e2e.foobar.mesh", false)).toMatch(/label "outbound_" invalid/);
  });
});

describe("hostMatches", () => {
  it.each([
    ["*.foo.bar", "*.bar", true],
    ["*.bar", "*.foo.bar", true],
    ["*", "anything.com", true],
    ["a.foo.com", "*.foo.com", true],
    ["a.foo.com", "b.foo.com", false],
    ["*.foo.com", "*.bar.com", false],
    ["reviews", "reviews", true],
  ] as const)("%s and %s overlap: %s", (a, b, expected) => {
    expect(hostMatches(a, b)).toBe(expected);
  });
});

describe("hostSubsetOf", () => {
  it.each([
    ["login.bookinfo.com", "*.bookinfo.com", true],
    ["*.a.bookinfo.com", "*.bookinfo.com", true],
    ["*.bookinfo.com", "login.bookinfo.com", false],
    ["*.com", "*.bookinfo.com", false],
    ["x.com", "x.com", true],
  ] as const)("%s within %s: %s", (a, b, expected) => {
    expect(hostSubsetOf(a, b)).toBe(expected);
  });
});
