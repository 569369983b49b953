import { validateSources, type LoadedResource } from "@skein/shared";
import { describe, expect, it } from "vitest";
import { reviewsDestinationRule, reviewsVirtualService } from "./config-store.testing.ts";
import { keyOf, resourceKey } from "./resource-yaml.ts";
import { errorsCausedInStored } from "./stored-impact.ts";

const load = (text: string, file = "in.yaml"): LoadedResource[] => validateSources([{ file, text }]).resources;
const byKey = (resources: LoadedResource[]) => new Map(resources.map((l) => [keyOf(resourceKey(l.resource)), l]));
const DR = "DestinationRule/default/reviews";

describe("errorsCausedInStored", () => {
  it("reports an error the change causes in a stored resource it leaves alone", () => {
    const stored = byKey([...load(reviewsDestinationRule(["v1", "v2"]), "store-dr"), ...load(reviewsVirtualService({ v1: 50, v2: 50 }), "store-vs")]);
    const errors = errorsCausedInStored({ stored, changed: new Set([DR]), incoming: load(reviewsDestinationRule(["v1"])), registry: [] });
    expect(errors).toEqual([expect.objectContaining({ code: "SK2001", file: "store-vs", kind: "VirtualService", path: "spec.http[0].route[1].destination.subset", message: expect.stringMatching(/^after this change, subset "v2"/) })]);
  });

  it("does not report an error the stored resource had already", () => {
    const stored = byKey([...load(reviewsDestinationRule(["v1"]), "store-dr"), ...load(reviewsVirtualService({ v1: 50, v2: 50 }), "store-vs")]);
    expect(errorsCausedInStored({ stored, changed: new Set([DR]), incoming: load(reviewsDestinationRule(["v1", "v3"])), registry: [] })).toEqual([]);
  });

  it("leaves errors in the incoming resources to the validator", () => {
    const stored = byKey(load(reviewsDestinationRule(["v1"]), "store-dr"));
    expect(errorsCausedInStored({ stored, changed: new Set(), incoming: load(reviewsVirtualService({ v2: 100 })), registry: [] })).toEqual([]);
  });
});
