import { describe, expect, it } from "vitest";
import { expectValid, peerAuthentication, reviewsDestinationRule, reviewsVirtualService, shopResources, shopWorkloads } from "./bookinfo.testing.ts";
import { serviceConfigOf, type VirtualServiceBody } from "./service-config.ts";
import { trafficShiftingResources, trafficShiftingRows } from "./traffic-shifting.ts";
import type { WeightRow } from "./weights.ts";

const reviews = { namespace: "shop", service: "reviews" };
const split = (rows: WeightRow[]) => rows.map((r) => `${r.subset}=${r.weight}`).join(" ");

describe("trafficShiftingRows", () => {
  it("shows every subset of the DestinationRule with the default route's weights", () => {
    expect(split(trafficShiftingRows(serviceConfigOf(reviews, shopResources, shopWorkloads)))).toBe("v1=80 v2=0 v3=20");
  });

  it("offers the workloads' versions when the service has no DestinationRule, split evenly when the route names no subset", () => {
    const cfg = serviceConfigOf(reviews, [peerAuthentication], shopWorkloads);
    expect(split(trafficShiftingRows(cfg))).toBe("v1=34 v2=33 v3=33");
  });

  it("reads relative weights as percentages", () => {
    const vs = structuredClone(reviewsVirtualService);
    const spec = vs.spec as VirtualServiceBody["spec"];
    spec.http![1]!.route = [
      { destination: { host: "reviews", subset: "v1" }, weight: 3 },
      { destination: { host: "reviews", subset: "v2" }, weight: 1 },
    ];
    expect(split(trafficShiftingRows(serviceConfigOf(reviews, [reviewsDestinationRule, vs], shopWorkloads)))).toBe("v1=75 v2=25 v3=0");
  });
});

describe("trafficShiftingResources", () => {
  it("rewrites only the default route's destinations, keeping the header route, retries, timeout and resourceVersion", () => {
    const cfg = serviceConfigOf(reviews, shopResources, shopWorkloads);
    const rows = [
      { subset: "v1", weight: 50, locked: false },
      { subset: "v2", weight: 0, locked: false },
      { subset: "v3", weight: 50, locked: false },
    ];
    const docs = trafficShiftingResources(cfg, rows);
    expect(docs).toHaveLength(1);
    expect(expectValid(docs)).toBe(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
  resourceVersion: "7"
spec:
  hosts:
    - reviews
  http:
    - match:
        - headers:
            end-user:
              exact: jason
      route:
        - destination:
            host: reviews
            subset: v2
    - route:
        - destination:
            host: reviews
            subset: v1
          weight: 50
        - destination:
            host: reviews
            subset: v3
          weight: 50
      retries:
        attempts: 2
        perTryTimeout: 2s
        retryOn: 5xx,connect-failure
      timeout: 5s
`);
  });

  it("creates the VirtualService and a DestinationRule with a subset per version when the service has neither", () => {
    const cfg = serviceConfigOf(reviews, [peerAuthentication], shopWorkloads);
    const docs = trafficShiftingResources(cfg, [
      { subset: "v1", weight: 90, locked: false },
      { subset: "v2", weight: 10, locked: true },
      { subset: "v3", weight: 0, locked: false },
    ]);
    expect(docs.map((d) => `${d.kind} ${d.metadata.name} ${d.metadata.resourceVersion ?? "new"}`)).toEqual(["DestinationRule reviews new", "VirtualService reviews new"]);
    expect(docs[0]!.spec).toEqual({ host: "reviews", subsets: ["v1", "v2", "v3"].map((v) => ({ name: v, labels: { version: v } })) });
    expect(docs[1]!.spec).toEqual({
      hosts: ["reviews"],
      http: [
        {
          route: [
            { destination: { host: "reviews", subset: "v1" }, weight: 90 },
            { destination: { host: "reviews", subset: "v2" }, weight: 10 },
          ],
        },
      ],
    });
    expectValid(docs, [peerAuthentication]);
  });

  it("adds only the missing subsets to an existing DestinationRule, keeping its traffic policy and version", () => {
    const dr = structuredClone(reviewsDestinationRule);
    (dr.spec as { subsets: unknown[] }).subsets = [{ name: "v1", labels: { version: "v1" } }];
    const cfg = serviceConfigOf(reviews, [dr, peerAuthentication], shopWorkloads);
    const rows = trafficShiftingRows(cfg);
    expect(split(rows)).toBe("v1=100");
    const docs = trafficShiftingResources(cfg, [...rows.map((r) => ({ ...r, weight: 60 })), { subset: "v2", weight: 40, locked: false }]);
    expect(docs[0]!.metadata.resourceVersion).toBe("4");
    expect(docs[0]!.spec).toMatchObject({ trafficPolicy: { loadBalancer: { simple: "LEAST_REQUEST" } }, subsets: [{ name: "v1" }, { name: "v2", labels: { version: "v2" } }] });
    expectValid(docs, [dr, peerAuthentication]);
  });

  it("keeps a destination's port when rewriting the split", () => {
    const vs = structuredClone(reviewsVirtualService);
    const spec = vs.spec as VirtualServiceBody["spec"];
    spec.http![1]!.route = [{ destination: { host: "reviews", subset: "v1", port: { number: 9080 } } }];
    const cfg = serviceConfigOf(reviews, [reviewsDestinationRule, vs], shopWorkloads);
    const docs = trafficShiftingResources(cfg, [
      { subset: "v1", weight: 70, locked: false },
      { subset: "v2", weight: 30, locked: false },
    ]);
    const http = (docs[0]!.spec as VirtualServiceBody["spec"]).http!;
    expect(http[1]!.route).toEqual([
      { destination: { host: "reviews", subset: "v1", port: { number: 9080 } }, weight: 70 },
      { destination: { host: "reviews", subset: "v2", port: { number: 9080 } }, weight: 30 },
    ]);
  });

  it("appends a default route after the matching ones when the VirtualService has none", () => {
    const vs = structuredClone(reviewsVirtualService);
    const spec = vs.spec as VirtualServiceBody["spec"];
    spec.http = [spec.http![0]!];
    const cfg = serviceConfigOf(reviews, [reviewsDestinationRule, vs], shopWorkloads);
    const docs = trafficShiftingResources(cfg, [{ subset: "v3", weight: 100, locked: false }]);
    const http = (docs[0]!.spec as VirtualServiceBody["spec"]).http!;
    expect(http).toHaveLength(2);
    expect(http[1]).toEqual({ route: [{ destination: { host: "reviews", subset: "v3" }, weight: 100 }] });
    expectValid(docs, [reviewsDestinationRule, vs]);
  });
});
