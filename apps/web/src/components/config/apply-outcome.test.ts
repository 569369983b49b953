import { describe, expect, it } from "vitest";
import { ApiFailure } from "../../client/api.ts";
import { describeFailure, describeResult } from "./apply-outcome.ts";

describe("describeResult", () => {
  it("names each change with its new version", () => {
    expect(
      describeResult({
        dryRun: false,
        changeSet: 12,
        diagnostics: [],
        changes: [
          { kind: "DestinationRule", namespace: "shop", name: "reviews", operation: "unchanged", diff: "", resourceVersion: "4" },
          { kind: "VirtualService", namespace: "shop", name: "reviews", operation: "update", diff: "", resourceVersion: "8" },
        ],
      }),
    ).toBe("Change set 12: DestinationRule shop/reviews unchanged (version 4); VirtualService shop/reviews updated (version 8).");
    expect(describeResult({ dryRun: true, diagnostics: [], changes: [] })).toBe("Nothing to change.");
  });
});

describe("describeFailure", () => {
  it("recognises a conflict and carries the control plane's diagnostics on a 422", () => {
    expect(describeFailure(new ApiFailure(409, "Conflict", "VirtualService shop/reviews is at version 9, not 8", {}), "Apply")).toMatchObject({ conflict: true });
    const diagnostics = [{ severity: "error", code: "SK2001", message: "no subset v9", file: "f", line: 3, column: 1, path: "spec" }];
    const out = describeFailure(new ApiFailure(422, "Invalid", "nothing was applied", { error: { code: "Invalid", message: "nothing was applied", diagnostics } }), "Apply");
    expect(out.conflict).toBe(false);
    expect(out.diagnostics).toEqual(diagnostics);
    expect(out.message).toContain("nothing was applied");
  });

  it("explains failures that are not API answers", () => {
    expect(describeFailure(new TypeError("Failed to fetch"), "Rollback").message).toBe("Rollback failed: Failed to fetch");
  });
});
