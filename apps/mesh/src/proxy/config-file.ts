import { readFile } from "node:fs/promises";
import { registryFromServiceEntries, validateSources, type Diagnostic, type Resource, type ServiceEntrySpec, type ServiceRegistry } from "@skein/shared";

export interface LoadedConfig {
  resources: Resource[];
  registry: ServiceRegistry;
}

export class ConfigRejected extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.code} ${d.message}${d.path ? ` (${d.path})` : ""}`).join("\n"));
  }
}

/**
 * Reads a standalone sidecar's Istio YAML. ServiceEntries are the service registry; an
 * invalid file is refused whole (the sidecar keeps its last good config, as a NACK).
 */
export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  const text = await readFile(path, "utf8");
  const report = validateSources([{ file: path, text }]);
  const errors = report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
  if (errors.length > 0) throw new ConfigRejected(errors);
  const resources = report.resources.filter((l) => l.family === "istio").map((l) => l.resource);
  const entries = resources.filter((r) => r.kind === "ServiceEntry") as Resource<ServiceEntrySpec>[];
  return { resources, registry: registryFromServiceEntries(entries) };
}
