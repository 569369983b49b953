import { describe, expect, it } from "vitest";
import { reviewsVirtualService } from "../wizards/bookinfo.testing.ts";
import { baselineAfterApply, baselineOf } from "./baseline.ts";

const at = (version: string) => ({ ...reviewsVirtualService, metadata: { ...reviewsVirtualService.metadata, resourceVersion: version } });

describe("baselineOf", () => {
  it("shows the resource without the store's bookkeeping and keeps the version aside", () => {
    const b = baselineOf(at("7"));
    expect(b.resourceVersion).toBe("7");
    expect(b.text.startsWith("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\n  namespace: shop\nspec:\n")).toBe(true);
    expect(b.text).not.toContain("resourceVersion");
    expect(b.text).not.toContain("creationTimestamp");
  });
});

describe("baselineAfterApply", () => {
  it("takes the stored resource read back when it is at the version the apply made", () => {
    expect(baselineAfterApply({ resourceVersion: "8", stored: at("8") }, "mine")).toEqual(baselineOf(at("8")));
  });

  it("keeps the applied text at the apply's version when someone wrote after it, so their write is a conflict next time", () => {
    expect(baselineAfterApply({ resourceVersion: "8", stored: at("9") }, "mine")).toEqual({ text: "mine", resourceVersion: "8" });
  });
});
