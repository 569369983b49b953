import { countBySeverity, registryValidationContext, renderYaml, validateSources, type Diagnostic, type StoredResource, type Workload } from "@skein/shared/browser";
import { authoredBody, resourceKey } from "../../client/config/validation-context.ts";

/** A stored resource's validation, as the config list shows it (Kiali's valid / warnings / errors). */
export interface ResourceValidation {
  kind: string;
  namespace: string;
  name: string;
  errors: number;
  warnings: number;
  /** Errors and warnings, lines counted in the resource's YAML as the editor shows it. */
  diagnostics: Diagnostic[];
}

/**
 * Runs the shared validator over every stored resource at once (so cross-resource checks
 * see each other) with the registry's workloads as context. Each resource is its own
 * file, named by its key, so findings come back per resource.
 */
export function validateStored(resources: readonly StoredResource[], workloads: readonly Workload[]): ResourceValidation[] {
  const files = resources.map((r) => ({ file: resourceKey(r), text: renderYaml(authoredBody(r)) }));
  const report = validateSources(files, { context: registryValidationContext(workloads) });
  const byFile = new Map(report.files.map((f) => [f.file, f.diagnostics.filter((d) => d.severity !== "info")]));
  return resources.map((r) => {
    const diagnostics = byFile.get(resourceKey(r)) ?? [];
    return { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name, ...countBySeverity(diagnostics), diagnostics };
  });
}
