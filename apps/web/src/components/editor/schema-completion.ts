import type { PathSegment, YamlCursor } from "./yaml-path.ts";

/**
 * Completion options from a JSON Schema (the one generated from the zod models): the
 * fields a mapping may have, and the values an enum field takes.
 */
export type JsonSchema = Record<string, unknown>;

export interface SchemaOption {
  label: string;
  /** What to insert in place of the typed prefix. */
  apply: string;
  type: "property" | "enum" | "keyword";
  detail?: string;
}

function asSchema(v: unknown): JsonSchema | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonSchema) : undefined;
}

/** A schema's alternatives with `$ref`, `anyOf`, `oneOf` and `allOf` opened up. */
function alternatives(root: JsonSchema, s: JsonSchema, depth = 0): JsonSchema[] {
  if (depth > 20) return [];
  if (typeof s.$ref === "string") {
    const target = s.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((node, key) => asSchema(node)?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], root);
    const t = asSchema(target);
    return t ? alternatives(root, t, depth + 1) : [];
  }
  const out = [s];
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    const list = s[k];
    if (Array.isArray(list)) for (const item of list) if (asSchema(item)) out.push(...alternatives(root, item as JsonSchema, depth + 1));
  }
  return out;
}

/** The schemas that may describe the node at `path`. */
export function schemasAt(root: JsonSchema, path: readonly PathSegment[]): JsonSchema[] {
  let current = alternatives(root, root);
  for (const seg of path) {
    const next: JsonSchema[] = [];
    for (const s of current) {
      let child: JsonSchema | undefined;
      if (typeof seg === "number") {
        child = Array.isArray(s.prefixItems) ? asSchema(s.prefixItems[seg]) : undefined;
        child ??= asSchema(s.items);
      } else {
        child = asSchema(asSchema(s.properties)?.[seg]) ?? asSchema(s.additionalProperties);
      }
      if (child) next.push(...alternatives(root, child));
    }
    current = next;
  }
  return current;
}

function typesOf(s: JsonSchema): string[] {
  return Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === "string" ? [s.type] : [];
}

/** What a field's value starts with after its key: a nested block, a sequence, or inline. */
function keyInsert(name: string, schemas: readonly JsonSchema[], column: number): string {
  const types = schemas.flatMap(typesOf);
  const pad = " ".repeat(column + 2);
  if (types.includes("array")) return `${name}:\n${pad}- `;
  if (types.includes("object")) return `${name}:\n${pad}`;
  return `${name}: `;
}

function describeType(schemas: readonly JsonSchema[]): string | undefined {
  const types = [...new Set(schemas.flatMap(typesOf))].filter((t) => t !== "null");
  return types.length > 0 ? types.join(" | ") : undefined;
}

/** Quotes what YAML would read as another type or syntax. */
function yamlScalar(value: unknown): string {
  if (typeof value !== "string") return String(value);
  return /^[A-Za-z_][\w./-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(value) ? value : JSON.stringify(value);
}

function valueOptions(schemas: readonly JsonSchema[]): SchemaOption[] {
  const seen = new Set<string>();
  const out: SchemaOption[] = [];
  const add = (value: unknown, type: SchemaOption["type"]) => {
    const text = yamlScalar(value);
    if (seen.has(text)) return;
    seen.add(text);
    out.push({ label: String(value), apply: text, type });
  };
  for (const s of schemas) {
    if (Array.isArray(s.enum)) for (const v of s.enum) add(v, "enum");
    if (s.const !== undefined) add(s.const, "enum");
    if (typesOf(s).includes("boolean")) {
      add(true, "keyword");
      add(false, "keyword");
    }
  }
  return out;
}

/**
 * The options at a cursor: the fields the mapping may still take (those it has are left
 * out), or the values an enum, const or boolean field takes. A sequence item of scalars
 * (`- |`) offers values too.
 */
export function schemaOptions(root: JsonSchema, cursor: YamlCursor): SchemaOption[] {
  const schemas = schemasAt(root, cursor.path);
  if (cursor.at === "value") return valueOptions(schemas);
  const out: SchemaOption[] = [];
  const seen = new Set(cursor.siblings);
  for (const s of schemas) {
    for (const [name, sub] of Object.entries(asSchema(s.properties) ?? {})) {
      if (seen.has(name)) continue;
      seen.add(name);
      const subs = asSchema(sub) ? alternatives(root, sub as JsonSchema) : [];
      out.push({ label: name, apply: keyInsert(name, subs, cursor.column), type: "property", ...(describeType(subs) ? { detail: describeType(subs)! } : {}) });
    }
  }
  if (out.length === 0 && typeof cursor.path[cursor.path.length - 1] === "number") return valueOptions(schemas);
  return out;
}
