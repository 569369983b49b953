import { describe, expect, it } from "vitest";
import { expectValid, peerAuthentication, reviewsDestinationRule, reviewsVirtualService, shopResources, shopWorkloads } from "./bookinfo.testing.ts";
import { KEEP_DEFAULT, requestRoutingErrors, requestRoutingResources, requestRoutingStart, type RequestRoutingForm } from "./request-routing.ts";
import { serviceConfigOf, type VirtualServiceBody } from "./service-config.ts";

const reviews = { namespace: "shop", service: "reviews" };
const SUBSETS = ["v1", "v2", "v3"];
const httpOf = (docs: { spec: unknown }[]) => (docs[0]!.spec as VirtualServiceBody["spec"]).http!;

describe("requestRoutingStart", () => {
  it("starts from the route that already matches a header, keeping the default route's split", () => {
    expect(requestRoutingStart(serviceConfigOf(reviews, shopResources, shopWorkloads), SUBSETS)).toEqual({
      header: "end-user",
      matchType: "exact",
      value: "jason",
      subset: "v2",
      defaultSubset: KEEP_DEFAULT,
    });
  });

  it("proposes the newest subset as the canary and the oldest as the default for a service without routes", () => {
    expect(requestRoutingStart(serviceConfigOf(reviews, [reviewsDestinationRule], shopWorkloads), SUBSETS)).toMatchObject({ value: "", subset: "v3", defaultSubset: "v1" });
  });
});

describe("requestRoutingErrors", () => {
  it("asks for a header, a value and a subset", () => {
    expect(requestRoutingErrors({ header: " ", matchType: "exact", value: "", subset: "", defaultSubset: "" })).toHaveLength(3);
    expect(requestRoutingErrors({ header: "end-user", matchType: "exact", value: "jason", subset: "v2", defaultSubset: "" })).toEqual([]);
  });
});

describe("requestRoutingResources", () => {
  it("replaces the route of the same header and keeps the default split when asked to", () => {
    const cfg = serviceConfigOf(reviews, shopResources, shopWorkloads);
    const form: RequestRoutingForm = { header: "End-User", matchType: "prefix", value: "qa-", subset: "v3", defaultSubset: KEEP_DEFAULT };
    const docs = requestRoutingResources(cfg, form);
    const http = httpOf(docs);
    expect(http).toHaveLength(2);
    expect(http[0]).toEqual({ match: [{ headers: { "end-user": { prefix: "qa-" } } }], route: [{ destination: { host: "reviews", subset: "v3" } }] });
    expect(http[1]).toEqual((reviewsVirtualService.spec as VirtualServiceBody["spec"]).http![1]);
    expect(docs[0]!.metadata.resourceVersion).toBe("7");
    expectValid(docs);
  });

  it("inserts a route for a new header before the default route and sends the rest to the default subset", () => {
    const cfg = serviceConfigOf(reviews, shopResources, shopWorkloads);
    const docs = requestRoutingResources(cfg, { header: "x-canary", matchType: "exact", value: "1", subset: "v3", defaultSubset: "v1" });
    const http = httpOf(docs);
    expect(http.map((r) => JSON.stringify(r.match ?? null))).toEqual([
      JSON.stringify([{ headers: { "end-user": { exact: "jason" } } }]),
      JSON.stringify([{ headers: { "x-canary": { exact: "1" } } }]),
      "null",
    ]);
    // The default route keeps its retries and timeout; only its destinations change.
    expect(http[2]).toEqual({ route: [{ destination: { host: "reviews", subset: "v1" } }], retries: { attempts: 2, perTryTimeout: "2s", retryOn: "5xx,connect-failure" }, timeout: "5s" });
    expectValid(docs);
  });

  it("creates a VirtualService with the canary route and a default route", () => {
    const cfg = serviceConfigOf(reviews, [reviewsDestinationRule, peerAuthentication], shopWorkloads);
    const docs = requestRoutingResources(cfg, { header: "end-user", matchType: "regex", value: "^(jason|kim)$", subset: "v2", defaultSubset: "v1" });
    expect(docs[0]!.spec).toEqual({
      hosts: ["reviews"],
      http: [
        { match: [{ headers: { "end-user": { regex: "^(jason|kim)$" } } }], route: [{ destination: { host: "reviews", subset: "v2" } }] },
        { route: [{ destination: { host: "reviews", subset: "v1" } }] },
      ],
    });
    expectValid(docs, [reviewsDestinationRule, peerAuthentication]);
  });
});

describe("requestRoutingResources without a DestinationRule", () => {
  it("adds the subsets it routes to, so the routes have endpoints", () => {
    const cfg = serviceConfigOf(reviews, [peerAuthentication], shopWorkloads);
    const docs = requestRoutingResources(cfg, { header: "end-user", matchType: "exact", value: "jason", subset: "v2", defaultSubset: "v1" });
    expect(docs.map((d) => d.kind)).toEqual(["DestinationRule", "VirtualService"]);
    expect(docs[0]!.spec).toEqual({ host: "reviews", subsets: [{ name: "v2", labels: { version: "v2" } }, { name: "v1", labels: { version: "v1" } }] });
    expectValid(docs, [peerAuthentication]);
  });
});
