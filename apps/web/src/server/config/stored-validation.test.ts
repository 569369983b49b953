import { describe, expect, it } from "vitest";
import type { StoredResource } from "@skein/shared/browser";
import { reviewsDestinationRule, reviewsVirtualService, shopResources, shopWorkloads } from "../../components/wizards/bookinfo.testing.ts";
import { validateStored } from "./stored-validation.ts";

describe("validateStored", () => {
  it("finds the demo's config valid against its workloads", () => {
    const out = validateStored(shopResources, shopWorkloads);
    expect(out.map((v) => `${v.kind}/${v.name} ${v.errors}/${v.warnings}`)).toEqual(["DestinationRule/reviews 0/0", "VirtualService/reviews 0/0", "PeerAuthentication/default 0/0"]);
  });

  it("reports a route to a subset its DestinationRule lacks on the VirtualService, with the line in its YAML", () => {
    const dr: StoredResource = { ...reviewsDestinationRule, spec: { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }] } };
    const [, vs] = validateStored([dr, reviewsVirtualService], shopWorkloads);
    expect(vs!.errors).toBeGreaterThan(0);
    const missing = vs!.diagnostics.find((d) => d.path.endsWith("subset"))!;
    expect(missing.message).toContain("v2");
    // metadata has no resourceVersion in the rendered YAML: line 17 is the first route's subset.
    expect(missing.line).toBe(17);
  });

  it("judges subsets against the registered workloads", () => {
    const dr: StoredResource = { ...reviewsDestinationRule, spec: { host: "reviews", subsets: [{ name: "v9", labels: { version: "v9" } }] } };
    const [out] = validateStored([dr], shopWorkloads);
    expect(out!.errors).toBe(1);
    expect(out!.diagnostics[0]!.path).toBe("spec.subsets[0].labels");
  });

  it("warns, without workloads, that a host is not known", () => {
    const [, vs] = validateStored([reviewsDestinationRule, reviewsVirtualService], []);
    expect(vs!.errors).toBe(0);
    expect(vs!.warnings).toBeGreaterThan(0);
  });
});
