import { allJsonSchemas, ISTIO_KINDS, jsonSchemaFor } from "@skein/shared";
import { parseVerbArgs, UsageError, type Io, type Verb } from "./usage.ts";

export const schemaVerb: Verb = {
  name: "schema",
  summary: "print the JSON Schema of an Istio kind, for editor completion",
  usage: `Usage: skein schema [KIND]

Prints the JSON Schema (draft 2020-12) generated from Skein's config model for KIND
(${ISTIO_KINDS.map((k) => k.kind).join(", ")}), or an object with all of them when
KIND is omitted. Point your editor's YAML language server at it for completion.

Options:
  -h, --help   show this help`,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parseVerbArgs(argv, { help: { type: "boolean", short: "h" } }, true);
    if (values.help) {
      io.stdout(this.usage + "\n");
      return 0;
    }
    if (positionals.length > 1) throw new UsageError("at most one KIND");
    const kind = positionals[0];
    const schema = kind === undefined ? allJsonSchemas() : jsonSchemaFor(kind);
    if (!schema) throw new UsageError(`unknown kind "${kind}"; known: ${ISTIO_KINDS.map((k) => k.kind).join(", ")}`);
    io.stdout(JSON.stringify(schema, null, 2) + "\n");
    return 0;
  },
};
