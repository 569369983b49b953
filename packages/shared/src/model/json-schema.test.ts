import { describe, expect, it } from "vitest";
import { ISTIO_KINDS } from "./kinds.ts";
import { jsonSchemaFor } from "./json-schema.ts";

describe("jsonSchemaFor", () => {
  it.each(ISTIO_KINDS.map((k) => k.kind))("describes %s with its apiVersions, kind, metadata and spec", (kind) => {
    const schema = jsonSchemaFor(kind)!;
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props.kind).toEqual({ type: "string", const: kind });
    expect((props.apiVersion!.enum as string[]).every((v) => v.endsWith(".istio.io/v1") || v.includes(".istio.io/v1"))).toBe(true);
    expect(props.metadata!.properties).toHaveProperty("name");
    expect(props.spec).toBeDefined();
    expect(schema.required).toEqual(expect.arrayContaining(["apiVersion", "kind", "metadata", "spec"]));
    // Unknown fields are errors in the validator, so completion must not offer arbitrary keys.
    expect(schema.additionalProperties).toBe(false);
  });

  it("returns undefined for a kind that is not modelled", () => {
    expect(jsonSchemaFor("Deployment")).toBeUndefined();
  });
});
