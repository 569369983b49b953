import { describe, expect, it } from "vitest";
import { formatPath } from "./diagnostics.ts";

describe("formatPath", () => {
  it.each([
    { path: [], text: "" },
    { path: ["spec", "http", 1, "route", 0, "weight"], text: "spec.http[1].route[0].weight" },
    { path: ["metadata", "labels", "app.kubernetes.io/name"], text: 'metadata.labels["app.kubernetes.io/name"]' },
    { path: ["spec", "portLevelMtls", "8080"], text: 'spec.portLevelMtls["8080"]' },
  ])("renders $text", ({ path, text }) => {
    expect(formatPath(path)).toBe(text);
  });
});
