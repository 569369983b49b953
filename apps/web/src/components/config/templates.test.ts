import { describe, expect, it } from "vitest";
import { validateSources } from "@skein/shared/browser";
import { isTemplateKind, TEMPLATE_KINDS, templateYaml } from "./templates.ts";

describe("templateYaml", () => {
  it.each(TEMPLATE_KINDS)("gives a %s that passes its schema in the chosen namespace", (kind) => {
    const text = templateYaml(kind, "shop");
    const report = validateSources([{ file: "new.yaml", text }]);
    expect(report.files[0]!.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(report.resources[0]!.resource).toMatchObject({ kind, metadata: { namespace: "shop" } });
  });

  it("knows which kinds it has templates for", () => {
    expect(isTemplateKind("VirtualService")).toBe(true);
    expect(isTemplateKind("Deployment")).toBe(false);
  });
});
