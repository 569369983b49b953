import { describe, expect, it } from "vitest";
import { parseSpiffeId, principalFromSpiffeId, spiffeId, spiffeIdFromPrincipal } from "./spiffe.ts";

describe("spiffeId", () => {
  it("builds Istio's spiffe://<td>/ns/<ns>/sa/<sa> and parses it back", () => {
    const id = spiffeId("cluster.local", "default", "reviews");
    expect(id).toBe("spiffe://cluster.local/ns/default/sa/reviews");
    expect(parseSpiffeId(id)).toEqual({ trustDomain: "cluster.local", namespace: "default", serviceAccount: "reviews" });
  });

  it.each([
    ["a namespace with a slash", "cluster.local", "a/b", "reviews"],
    ["an empty service account", "cluster.local", "default", ""],
    ["an upper-case trust domain", "Cluster.Local", "default", "reviews"],
    ["a trust domain with a port", "cluster.local:8080", "default", "reviews"],
  ])("refuses to build an ID from %s", (_label, td, ns, sa) => {
    expect(() => spiffeId(td, ns, sa)).toThrow(/invalid workload identity/);
  });
});

describe("parseSpiffeId", () => {
  it.each([
    "spiffe://td/ns/istio-system/sa/istiod-service-account",
    "spiffe://example.org/ns/Prod_1/sa/My.Account",
    "spiffe://a-b_c.d/ns/x/sa/y",
  ])("accepts %s", (id) => {
    expect(parseSpiffeId(id)).toBeDefined();
  });

  it.each([
    ["another scheme", "https://cluster.local/ns/default/sa/reviews"],
    ["an upper-case scheme", "SPIFFE://cluster.local/ns/default/sa/reviews"],
    ["no scheme", "cluster.local/ns/default/sa/reviews"],
    ["an empty trust domain", "spiffe:///ns/default/sa/reviews"],
    ["a port", "spiffe://cluster.local:443/ns/default/sa/reviews"],
    ["user info", "spiffe://u@cluster.local/ns/default/sa/reviews"],
    ["a trailing slash", "spiffe://cluster.local/ns/default/sa/reviews/"],
    ["an extra segment", "spiffe://cluster.local/ns/default/sa/reviews/x"],
    ["a missing sa", "spiffe://cluster.local/ns/default"],
    ["swapped keys", "spiffe://cluster.local/sa/reviews/ns/default"],
    ["an empty namespace", "spiffe://cluster.local/ns//sa/reviews"],
    ["a dot segment", "spiffe://cluster.local/ns/../sa/reviews"],
    ["percent-encoding", "spiffe://cluster.local/ns/de%2Ffault/sa/reviews"],
    ["a query", "spiffe://cluster.local/ns/default/sa/reviews?x=1"],
    ["a fragment", "spiffe://cluster.local/ns/default/sa/reviews#x"],
    ["a space", "spiffe://cluster.local/ns/default/sa/re views"],
    ["an over-long trust domain", `spiffe://${"a".repeat(256)}/ns/default/sa/reviews`],
  ])("refuses an ID with %s", (_label, id) => {
    expect(parseSpiffeId(id)).toBeUndefined();
  });
});

describe("principal form", () => {
  it("drops and restores the spiffe:// scheme", () => {
    const id = "spiffe://cluster.local/ns/default/sa/reviews";
    expect(principalFromSpiffeId(id)).toBe("cluster.local/ns/default/sa/reviews");
    expect(spiffeIdFromPrincipal("cluster.local/ns/default/sa/reviews")).toBe(id);
  });

  it.each([
    ["a principal that already has a scheme", "spiffe://cluster.local/ns/default/sa/reviews"],
    ["a wildcard principal", "cluster.local/ns/default/sa/*"],
    ["a bare namespace", "default"],
  ])("refuses %s", (_label, principal) => {
    expect(spiffeIdFromPrincipal(principal)).toBeUndefined();
  });

  it("refuses to make a principal from a malformed ID", () => {
    expect(principalFromSpiffeId("spiffe://cluster.local/ns/default")).toBeUndefined();
  });
});
