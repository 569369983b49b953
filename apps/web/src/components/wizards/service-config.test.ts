import { describe, expect, it } from "vitest";
import type { StoredResource } from "@skein/shared/browser";
import { expectValid, reviewsDestinationRule, reviewsVirtualService, shopResources, shopWorkloads } from "./bookinfo.testing.ts";
import { defaultRouteIndex, hostFqdn, serviceConfigOf, servicesOf, subsetsOf, type HttpRoute } from "./service-config.ts";

const reviews = { namespace: "shop", service: "reviews" };

describe("hostFqdn", () => {
  it.each([
    ["reviews", "reviews.shop.svc.cluster.local"],
    ["reviews.shop", "reviews.shop.svc.cluster.local"],
    ["reviews.shop.svc", "reviews.shop.svc.cluster.local"],
    ["Reviews.Shop.svc.cluster.local.", "reviews.shop.svc.cluster.local"],
    ["api.example.com", "api.example.com"],
  ])("reads %s in namespace shop as %s", (host, fqdn) => {
    expect(hostFqdn(host, "shop")).toBe(fqdn);
  });
});

describe("serviceConfigOf", () => {
  it("finds the service's VirtualService and DestinationRule with their versions, and its workloads' versions", () => {
    const cfg = serviceConfigOf(reviews, shopResources, shopWorkloads);
    expect(cfg.virtualService?.metadata).toEqual({ name: "reviews", namespace: "shop", resourceVersion: "7" });
    expect(cfg.destinationRule?.metadata.resourceVersion).toBe("4");
    expect(cfg.versions).toEqual(["v1", "v2", "v3"]);
  });

  it("ignores VirtualServices bound to a gateway, other namespaces' resources and other services", () => {
    const gatewayVs: StoredResource = { ...reviewsVirtualService, metadata: { ...reviewsVirtualService.metadata, name: "edge" }, spec: { hosts: ["reviews"], gateways: ["shop/edge"] } };
    const otherNs: StoredResource = { ...reviewsDestinationRule, metadata: { ...reviewsDestinationRule.metadata, namespace: "prod" } };
    const cfg = serviceConfigOf(reviews, [gatewayVs, otherNs], shopWorkloads);
    expect(cfg.virtualService).toBeUndefined();
    expect(cfg.destinationRule).toBeUndefined();
    expect(serviceConfigOf({ namespace: "shop", service: "ratings" }, shopResources, shopWorkloads).virtualService).toBeUndefined();
  });

  it("finds a resource that names the service by its full host", () => {
    const dr: StoredResource = { ...reviewsDestinationRule, metadata: { ...reviewsDestinationRule.metadata, name: "reviews-policy" }, spec: { host: "reviews.shop.svc.cluster.local" } };
    expect(serviceConfigOf(reviews, [dr], shopWorkloads).destinationRule?.metadata.name).toBe("reviews-policy");
  });
});

describe("servicesOf", () => {
  it("lists each registered service once, skipping workloads without one", () => {
    expect(servicesOf(shopWorkloads).map((s) => s.service)).toEqual(["details", "productpage", "ratings", "reviews"]);
  });
});

describe("defaultRouteIndex", () => {
  it("is the last route without a match", () => {
    const r = (match?: unknown[]) => ({ ...(match ? { match } : {}), route: [] }) as unknown as HttpRoute;
    expect(defaultRouteIndex([r([{}]), r(), r([{}])])).toBe(1);
    expect(defaultRouteIndex([r([{}])])).toBe(-1);
    expect(defaultRouteIndex([r([])])).toBe(0);
  });
});

describe("expectValid", () => {
  it("fails on a document the validator rejects, so the wizard tests can fail", () => {
    const bad = { ...reviewsVirtualService, spec: { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v1" }, weight: -5 }] }] } };
    expect(() => expectValid([bad])).toThrow();
  });
});

describe("subsetsOf", () => {
  it("offers the DestinationRule's subsets, else the workloads' versions", () => {
    expect(subsetsOf(serviceConfigOf(reviews, shopResources, shopWorkloads))).toEqual(["v1", "v2", "v3"]);
    expect(subsetsOf(serviceConfigOf(reviews, [], shopWorkloads))).toEqual(["v1", "v2", "v3"]);
    expect(subsetsOf(serviceConfigOf({ namespace: "shop", service: "nothing" }, [], shopWorkloads))).toEqual([]);
  });
});
