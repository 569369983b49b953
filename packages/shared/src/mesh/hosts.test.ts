import { describe, expect, it } from "vitest";
import { hostLookupKeys, namespaceOfHost, namespaceScopeOfWildcard, resolveHost } from "./hosts.ts";

const known = new Set(["default", "prod"]);
const resolve = (host: string, ns = "default") => resolveHost(host, ns, (n) => known.has(n));

describe("resolveHost", () => {
  it.each([
    ["expands a short name in the resource's namespace", "reviews", "web", "reviews.web.svc.cluster.local"],
    ["expands name.namespace when the namespace is known", "reviews.prod", "web", "reviews.prod.svc.cluster.local"],
    ["keeps a two-label domain that is not a namespace", "example.com", "web", "example.com"],
    ["completes name.namespace.svc", "reviews.prod.svc", "web", "reviews.prod.svc.cluster.local"],
    ["keeps a fully qualified name", "reviews.prod.svc.cluster.local", "web", "reviews.prod.svc.cluster.local"],
    ["drops the trailing dot of an absolute name and lowercases", "WWW.Example.com.", "web", "www.example.com"],
    ["keeps the wildcard host", "*", "web", "*"],
    ["keeps a wildcard domain", "*.example.com", "web", "*.example.com"],
    ["keeps an IPv4 address", "10.0.0.1", "web", "10.0.0.1"],
    ["keeps an IPv6 address", "::1", "web", "::1"],
  ])("%s", (_name, host, ns, expected) => {
    expect(resolve(host, ns)).toBe(expected);
  });
});

describe("hostLookupKeys", () => {
  it("lists the host, then every wildcard covering it, most specific first", () => {
    expect(hostLookupKeys("a.b.example.com")).toEqual(["a.b.example.com", "*.b.example.com", "*.example.com", "*.com", "*"]);
  });
  it("lists the wildcards covering a wildcard host", () => {
    expect(hostLookupKeys("*.example.com")).toEqual(["*.example.com", "*.com", "*"]);
  });
  it("gives only * for *", () => {
    expect(hostLookupKeys("*")).toEqual(["*"]);
  });
});

describe("namespaces of hosts", () => {
  it.each([
    ["reviews.prod.svc.cluster.local", "prod"],
    ["www.example.com", undefined],
  ])("the namespace of %s is %s", (host, ns) => expect(namespaceOfHost(host)).toBe(ns));

  it.each([
    ["*.prod.svc.cluster.local", "prod"],
    ["*.local", "*"],
    ["*.svc.cluster.local", "*"],
    ["*", "*"],
    ["*.example.com", undefined],
  ])("a rule for %s covers namespace %s", (host, scope) => expect(namespaceScopeOfWildcard(host)).toBe(scope));
});
