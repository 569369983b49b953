/**
 * Validation status of the stored Istio config, from the same validator the control plane
 * runs before it commits: every stored resource is one input file, checked together (so
 * cross-resource checks see the whole mesh) against the registry's workloads.
 */
import { registryValidationContext, validateSources, type StoredResource, type Workload } from "@skein/shared";

export type ValidationStatus = "valid" | "warning" | "error";

export interface ConfigValidation {
  status: ValidationStatus;
  messages: { severity: "error" | "warning"; code: string; message: string }[];
}

export function resourceKey(r: { kind: string; metadata: { namespace: string; name: string } }): string {
  return `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;
}

/** Status of each stored resource by `Kind/namespace/name`. Info findings do not change it. */
export function validateStored(resources: readonly StoredResource[], workloads: readonly Workload[]): Map<string, ConfigValidation> {
  const files = resources.map((r) => {
    const m = r.metadata;
    // what the author wrote, without the store's bookkeeping (resourceVersion, timestamps)
    const body = { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: m.name, namespace: m.namespace, ...(m.labels ? { labels: m.labels } : {}) }, spec: r.spec };
    return { file: resourceKey(r), text: JSON.stringify(body, null, 2) };
  });
  const report = validateSources(files, { context: registryValidationContext(workloads) });
  const out = new Map<string, ConfigValidation>();
  for (const f of report.files) {
    const messages = f.diagnostics.flatMap((d) => (d.severity === "info" ? [] : [{ severity: d.severity, code: d.code, message: d.message }]));
    const status: ValidationStatus = messages.some((m) => m.severity === "error") ? "error" : messages.length > 0 ? "warning" : "valid";
    out.set(f.file, { status, messages });
  }
  return out;
}
