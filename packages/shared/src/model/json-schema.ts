import * as z from "zod";
import { ISTIO_KINDS } from "./kinds.ts";

/**
 * JSON Schema for each modelled kind, generated from the same zod schemas the validator
 * uses, for editor completion. Rules written as refinements (cross-field checks) have no
 * JSON Schema form; the validator still applies them.
 */
export function jsonSchemaFor(kind: string): Record<string, unknown> | undefined {
  const def = ISTIO_KINDS.find((k) => k.kind === kind);
  if (!def) return undefined;
  const schema = z.toJSONSchema(def.schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  return {
    ...schema,
    title: kind,
    properties: {
      ...properties,
      apiVersion: { type: "string", enum: def.versions.map((v) => `${def.group}/${v}`) },
      kind: { type: "string", const: kind },
    },
  };
}

export function allJsonSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(ISTIO_KINDS.map((k) => [k.kind, jsonSchemaFor(k.kind)!]));
}
