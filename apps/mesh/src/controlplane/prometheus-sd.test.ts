import { describe, expect, it } from "vitest";
import { httpSdTargetSchema, type Workload } from "@skein/shared";
import { httpSdTargets, metricsHost, prometheusSdRoutes } from "./prometheus-sd.ts";

function workload(over: Partial<Workload> = {}): Workload {
  return { name: "reviews-v1", namespace: "default", serviceAccount: "reviews", labels: { app: "reviews", version: "v1" }, address: "127.0.0.1", metricsPort: 15090, ...over };
}

describe("httpSdTargets", () => {
  it("lists one target per sidecar metrics address with Istio's labels and the metrics path", () => {
    const groups = httpSdTargets([workload()]);
    expect(groups).toEqual([{ targets: ["127.0.0.1:15090"], labels: { namespace: "default", workload: "reviews-v1", app: "reviews", version: "v1", __metrics_path__: "/stats/prometheus" } }]);
    for (const g of groups) httpSdTargetSchema.parse(g);
  });

  it("leaves out workloads whose sidecar serves no metrics", () => {
    expect(httpSdTargets([workload({ metricsPort: undefined })])).toEqual([]);
  });

  it("names app and version as Istio's canonical service and revision, never empty", () => {
    const [g] = httpSdTargets([workload({ name: "ratings-7d9", labels: {} })]);
    expect(g!.labels).toMatchObject({ app: "ratings-7d9", version: "latest" });
    const [c] = httpSdTargets([workload({ labels: { app: "x", "service.istio.io/canonical-name": "shop", "service.istio.io/canonical-revision": "canary" } })]);
    expect(c!.labels).toMatchObject({ app: "shop", version: "canary" });
  });

  it("sorts by namespace then workload so the answer is stable", () => {
    const names = httpSdTargets([workload({ name: "b", namespace: "x" }), workload({ name: "z", namespace: "a" }), workload({ name: "a", namespace: "x" })]).map((g) => `${g.labels.namespace}/${g.labels.workload}`);
    expect(names).toEqual(["a/z", "x/a", "x/b"]);
  });

  it("serves the groups at /api/v1/prometheus/sd without auth, reading the registry on each call", async () => {
    let current = [workload()];
    const [route] = prometheusSdRoutes({ workloads: () => current });
    expect(route).toMatchObject({ method: "GET", path: "/api/v1/prometheus/sd", auth: "none" });
    expect(await route!.handler({} as never)).toHaveLength(1);
    current = [];
    expect(await route!.handler({} as never)).toEqual([]);
  });
});

describe("metricsHost", () => {
  it.each([
    ["10.0.0.5", "10.0.0.5"],
    ["10.0.0.5:15006", "10.0.0.5"],
    ["reviews.local:15006", "reviews.local"],
    ["::1", "[::1]"],
    ["[::1]:15006", "[::1]"],
    ["[fe80::1]", "[fe80::1]"],
  ])("reads %s as %s", (address, host) => expect(metricsHost(address)).toBe(host));
});
