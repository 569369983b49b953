import { describe, expect, it } from "vitest";
import { parseYamlFile } from "./source.ts";
import { renderYaml } from "./render.ts";

describe("renderYaml", () => {
  it("keeps key order and does not fold long strings", () => {
    const long = "x".repeat(200);
    const text = renderYaml({ b: 1, a: { long } });
    expect(text).toBe(`b: 1\na:\n  long: ${long}\n`);
  });

  it("quotes strings a YAML 1.1 reader would turn into booleans or dates, so they read back as strings", () => {
    const value = { on: "on", date: "2024-01-01", yes: "yes" };
    const text = renderYaml(value);
    expect(parseYamlFile("f.yaml", text).documents[0]!.value).toEqual(value);
    expect(text).toContain('"on"');
  });

  it("renders nothing for no value", () => {
    expect(renderYaml(null)).toBe("");
    expect(renderYaml(undefined)).toBe("");
  });
});
