import { describe, expect, it } from "vitest";
import { jsonSchemaFor } from "@skein/shared/browser";
import { schemaOptions, schemasAt, type JsonSchema } from "./schema-completion.ts";
import { yamlCursorAt } from "./yaml-path.ts";

const vs = jsonSchemaFor("VirtualService")!;
const dr = jsonSchemaFor("DestinationRule")!;

function options(schema: JsonSchema, textWithCursor: string) {
  const pos = textWithCursor.indexOf("‸");
  const cursor = yamlCursorAt(textWithCursor.replace("‸", ""), pos);
  if (!cursor) throw new Error("no cursor context");
  return schemaOptions(schema, cursor);
}
const labels = (o: { label: string }[]) => o.map((x) => x.label);

describe("schemaOptions with the generated Istio schemas", () => {
  it("offers the top-level fields the document lacks", () => {
    expect(labels(options(vs, "apiVersion: networking.istio.io/v1\nkind: VirtualService\n‸"))).toEqual(["metadata", "spec", "status"]);
  });

  it("offers an HTTP route's fields, minus those it has, with how each is written", () => {
    const out = options(vs, "spec:\n  http:\n    - route:\n        - destination:\n            host: reviews\n      ‸");
    expect(labels(out)).toContain("retries");
    expect(labels(out)).toContain("timeout");
    expect(labels(out)).not.toContain("route");
    expect(out.find((o) => o.label === "timeout")).toMatchObject({ apply: "timeout: ", detail: "string" });
    expect(out.find((o) => o.label === "retries")!.apply).toBe("retries:\n        ");
    expect(out.find((o) => o.label === "match")!.apply).toBe("match:\n        - ");
  });

  it("offers a weighted destination's fields inside a route item", () => {
    expect(labels(options(vs, "spec:\n  http:\n    - route:\n        - destination:\n            host: reviews\n          ‸"))).toEqual(expect.arrayContaining(["weight", "headers"]));
  });

  it("offers the load balancer's enum values", () => {
    const out = options(dr, "spec:\n  trafficPolicy:\n    loadBalancer:\n      simple: ‸");
    expect(labels(out)).toEqual(["UNSPECIFIED", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST", "LEAST_CONN"]);
  });

  it("offers the apiVersions a kind is served at", () => {
    expect(labels(options(vs, "apiVersion: ‸"))).toEqual(["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"]);
  });

  it("offers true and false for a boolean", () => {
    expect(labels(options(vs, "spec:\n  http:\n    - match:\n        - ignoreUriCase: ‸"))).toEqual(["true", "false"]);
  });

  it("offers nothing for free-form maps and unknown paths", () => {
    expect(options(vs, "metadata:\n  labels:\n    ‸")).toEqual([]);
    expect(options(vs, "spec:\n  nonsense:\n    ‸")).toEqual([]);
  });
});

describe("schemasAt", () => {
  it("follows $ref, anyOf and array items", () => {
    const root: JsonSchema = {
      $defs: { port: { type: "object", properties: { number: { type: "integer" } } } },
      type: "object",
      properties: { ports: { type: "array", items: { anyOf: [{ $ref: "#/$defs/port" }, { type: "null" }] } } },
    };
    const found = schemasAt(root, ["ports", 3, "number"]);
    expect(found).toEqual([{ type: "integer" }]);
  });

  it("quotes enum values YAML would read as another type", () => {
    const root: JsonSchema = { type: "object", properties: { mode: { enum: ["on", "OFF", "1.0", "STRICT"] } } };
    expect(schemaOptions(root, { at: "value", path: ["mode"], prefix: "", from: 0 }).map((o) => o.apply)).toEqual(['"on"', '"OFF"', '"1.0"', "STRICT"]);
  });
});
