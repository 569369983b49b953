import { describe, expect, it } from "vitest";
import type { Workload } from "../api/control-plane.ts";
import { virtualService, destinationRule } from "./cross/testing.ts";
import { registryKubernetesObjects, registryValidationContext } from "./registry-context.ts";
import { validateSources } from "./validate.ts";

function workload(name: string, version: string, service?: string): Workload {
  return {
    name,
    namespace: "shop",
    serviceAccount: service ?? name,
    labels: { app: service ?? name, version },
    ...(service ? { service: { name: service, ports: [{ port: 9080, name: "http" }] } } : {}),
    address: "127.0.0.1",
  };
}

const reviews = [workload("reviews-v2", "v2", "reviews"), workload("reviews-v1", "v1", "reviews")];

describe("registryKubernetesObjects", () => {
  it("makes one Deployment per workload and one Service per service, selecting the labels its workloads share", () => {
    const objects = registryKubernetesObjects([...reviews, workload("traffic", "v1")]);
    expect(objects.map((o) => `${o.kind as string} ${(o.metadata as { name: string }).name}`)).toEqual([
      "Deployment reviews-v1",
      "Deployment reviews-v2",
      "Deployment traffic",
      "Service reviews",
    ]);
    expect(objects[3]!.spec).toEqual({ selector: { app: "reviews" }, ports: [{ name: "http", port: 9080 }] });
  });
});

describe("registryValidationContext", () => {
  const vs = virtualService("shop/reviews", { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v1" } }] }] });
  const dr = (subset: string) => destinationRule("shop/reviews", { host: "reviews", subsets: [{ name: subset, labels: { version: subset } }] });

  it("lets host and subset checks see the registered services", () => {
    const report = validateSources([{ file: "in.yaml", text: [vs, dr("v1")].join("---\n") }], { context: registryValidationContext(reviews) });
    expect(report.files[0]!.diagnostics).toEqual([]);
  });

  it("reports a subset whose labels select none of the registered workloads", () => {
    const report = validateSources([{ file: "in.yaml", text: dr("v9") }], { context: registryValidationContext(reviews) });
    expect(report.files[0]!.diagnostics.map((d) => d.path)).toEqual(["spec.subsets[0].labels"]);
  });
});
