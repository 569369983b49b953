import { describe, expect, it } from "vitest";
import type { Workload } from "@skein/shared/browser";
import { servicesOf, versionsOf } from "./service-inventory";

const wl = (name: string, app: string, version: string | undefined, service?: string, namespace = "shop"): Workload => ({
  name,
  namespace,
  serviceAccount: app,
  labels: { app, ...(version ? { version } : {}) },
  ...(service ? { service: { name: service, ports: [{ port: 9080, name: "http-9080", protocol: "HTTP" }] } } : {}),
  address: "127.0.0.1",
  inboundPort: 15000,
});

const mesh = [wl("reviews-v10", "reviews", "v10", "reviews"), wl("reviews-v2", "reviews", "v2", "reviews"), wl("reviews-v1", "reviews", "v1", "reviews"), wl("ratings-v1", "ratings", "v1", "ratings"), wl("traffic", "traffic", "v1"), wl("reviews-v1", "reviews", "v1", "reviews", "staging")];

describe("servicesOf", () => {
  it("groups workloads naming a service in a namespace, as the registry does", () => {
    expect(servicesOf(mesh).map((s) => [s.namespace, s.name, s.host, s.workloads.map((w) => w.name)])).toEqual([
      ["shop", "ratings", "ratings.shop.svc.cluster.local", ["ratings-v1"]],
      ["shop", "reviews", "reviews.shop.svc.cluster.local", ["reviews-v1", "reviews-v10", "reviews-v2"]],
      ["staging", "reviews", "reviews.staging.svc.cluster.local", ["reviews-v1"]],
    ]);
  });

  it("keeps the labels every member shares as the selector", () => {
    expect(servicesOf(mesh).find((s) => s.name === "reviews")!.selector).toEqual({ app: "reviews" });
  });
});

describe("versionsOf", () => {
  it("orders versions naturally and gathers unlabelled workloads under an empty version", () => {
    const reviews = servicesOf(mesh).find((s) => s.namespace === "shop" && s.name === "reviews")!;
    expect(versionsOf(reviews).map((v) => v.version)).toEqual(["v1", "v2", "v10"]);
    expect(versionsOf({ workloads: [wl("a", "a", undefined), wl("b", "a", "v1")] }).map((v) => [v.version, v.workloads.map((w) => w.name)])).toEqual([
      ["", ["a"]],
      ["v1", ["b"]],
    ]);
  });
});
