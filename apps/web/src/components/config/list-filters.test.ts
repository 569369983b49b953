import { describe, expect, it } from "vitest";
import { peerAuthentication, reviewsDestinationRule, reviewsVirtualService } from "../wizards/bookinfo.testing.ts";
import { byKindNamespaceName, filtersFrom, filtersQuery, matches, serviceOf, statusLabel } from "./list-filters.ts";

describe("list filters", () => {
  it("round-trips through the URL and leaves out empty filters", () => {
    const f = filtersFrom(new URLSearchParams("kind=VirtualService&namespace="));
    expect(f).toEqual({ kind: "VirtualService" });
    expect(filtersQuery(f)).toBe("?kind=VirtualService");
    expect(filtersQuery({})).toBe("");
  });

  it("keeps the resources of the chosen kind and namespace, sorted", () => {
    const all = [reviewsVirtualService, peerAuthentication, reviewsDestinationRule];
    expect(all.filter((r) => matches(r, { namespace: "shop" })).sort(byKindNamespaceName).map((r) => r.kind)).toEqual(["DestinationRule", "PeerAuthentication", "VirtualService"]);
    expect(all.filter((r) => matches(r, { kind: "VirtualService", namespace: "prod" }))).toEqual([]);
  });
});

describe("statusLabel", () => {
  it.each([
    [{ errors: 0, warnings: 0 }, "Valid", "valid"],
    [{ errors: 0, warnings: 2 }, "2 warnings", "warning"],
    [{ errors: 1, warnings: 1 }, "1 error, 1 warning", "error"],
    [{ errors: 3, warnings: 0 }, "3 errors", "error"],
  ] as const)("summarises %j as %s", (counts, label, tone) => {
    expect(statusLabel(counts)).toEqual({ label, tone });
  });
});

describe("serviceOf", () => {
  it("names the service of a VirtualService or DestinationRule written with a short host", () => {
    expect(serviceOf(reviewsVirtualService)).toBe("reviews");
    expect(serviceOf(reviewsDestinationRule)).toBe("reviews");
    expect(serviceOf({ ...reviewsDestinationRule, spec: { host: "reviews.shop.svc.cluster.local" } })).toBe("reviews");
    expect(serviceOf({ ...reviewsDestinationRule, spec: { host: "reviews.prod.svc.cluster.local" } })).toBeUndefined();
    expect(serviceOf(peerAuthentication)).toBeUndefined();
  });
});
