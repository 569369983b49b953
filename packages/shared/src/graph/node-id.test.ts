import { describe, expect, it } from "vitest";
import { hopsFor, nodeFor } from "./node-id.ts";
import { readSeries } from "./series.ts";
import { OUTSIDE, requests, wl } from "./series.testing.ts";
import type { GraphType } from "./types.ts";

type Args = readonly [serviceNamespace: string, service: string, workloadNamespace: string, workload: string, app: string, version: string];

describe("nodeFor", () => {
  const reviewsV2: Args = ["shop", "reviews", "shop", "reviews-v2", "reviews", "v2"];
  it.each<{ graphType: GraphType; args: Args; want: Record<string, string> }>([
    { graphType: "app", args: reviewsV2, want: { id: "app:shop:reviews", type: "app", namespace: "shop", app: "reviews" } },
    {
      graphType: "versionedApp",
      args: reviewsV2,
      want: { id: "vapp:shop:reviews-v2", type: "app", namespace: "shop", app: "reviews", workload: "reviews-v2", version: "v2" },
    },
    {
      graphType: "workload",
      args: reviewsV2,
      want: { id: "wl:shop:reviews-v2", type: "workload", namespace: "shop", workload: "reviews-v2", app: "reviews", version: "v2" },
    },
    { graphType: "service", args: reviewsV2, want: { id: "wl:shop:reviews-v2", type: "workload" } },
    {
      graphType: "versionedApp",
      args: ["shop", "reviews", "", "", "reviews", "v3"],
      want: { id: "vapp:shop:reviews:v3", type: "app", app: "reviews", version: "v3" },
    },
    { graphType: "app", args: ["shop", "", "shop", "batch", "unknown", "latest"], want: { id: "wl:shop:batch", type: "workload" } },
    { graphType: "workload", args: ["shop", "reviews", "unknown", "unknown", "unknown", "latest"], want: { id: "svc:shop:reviews", type: "service", service: "reviews" } },
    { graphType: "app", args: ["shop", "reviews", "", "", "", ""], want: { id: "svc:shop:reviews", type: "service", namespace: "shop" } },
    { graphType: "app", args: ["unknown", "", "unknown", "unknown", "unknown", "latest"], want: { id: "unknown", type: "unknown" } },
    { graphType: "workload", args: ["shop", "unknown", "shop", "unknown", "unknown", ""], want: { id: "svc:shop:unknown", type: "service" } },
    { graphType: "workload", args: ["web", "reviews", "shop", "reviews-v1", "reviews", "v1"], want: { namespace: "shop" } },
  ])("puts $args on $want.id in the $graphType graph", ({ graphType, args, want }) => {
    expect(nodeFor(graphType, ...args)).toMatchObject(want);
  });

  it("drops the workload and version from a versionless app node", () => {
    expect(nodeFor("app", "shop", "", "shop", "reviews-v2", "reviews", "v2")).toEqual({ id: "app:shop:reviews", type: "app", namespace: "shop", app: "reviews" });
  });

  it("gives nothing when nothing names the end", () => {
    expect(nodeFor("workload", "shop", "", "shop", "", "", "")).toBeUndefined();
  });
});

describe("hopsFor", () => {
  const productpage = wl("shop", "productpage-v1");
  const ids = (graphType: GraphType, sample: ReturnType<typeof requests>) =>
    hopsFor(graphType, readSeries(sample)!).map(([a, b]) => `${a.id} -> ${b.id}`);

  it.each([
    { graphType: "versionedApp", want: ["vapp:shop:productpage-v1 -> svc:shop:reviews", "svc:shop:reviews -> vapp:shop:reviews-v2"] },
    { graphType: "app", want: ["app:shop:productpage -> svc:shop:reviews", "svc:shop:reviews -> app:shop:reviews"] },
    { graphType: "workload", want: ["wl:shop:productpage-v1 -> svc:shop:reviews", "svc:shop:reviews -> wl:shop:reviews-v2"] },
  ] as const)("puts the service between caller and callee in the $graphType graph", ({ graphType, want }) => {
    expect(ids(graphType, requests({ reporter: "source", from: productpage, to: wl("shop", "reviews-v2"), value: 1 }))).toEqual(want);
  });

  it("ends at the service when the request reached no workload", () => {
    const sample = requests({ reporter: "source", from: productpage, service: { ns: "shop", name: "details" }, code: "503", value: 1 });
    expect(ids("versionedApp", sample)).toEqual(["vapp:shop:productpage-v1 -> svc:shop:details"]);
  });

  it("starts at the unknown node for a caller outside the mesh", () => {
    const sample = requests({ reporter: "destination", from: OUTSIDE, to: productpage, value: 1 });
    expect(ids("workload", sample)).toEqual(["unknown -> svc:shop:productpage", "svc:shop:productpage -> wl:shop:productpage-v1"]);
  });
});
