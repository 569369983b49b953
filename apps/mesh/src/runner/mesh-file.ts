import { findingsFromIssues, formatPath, meshSchema, parseYamlFile, validateSources, type Diagnostic, type MeshFile, type SourceInput } from "@skein/shared";

export type { MeshFile, MeshWorkload } from "@skein/shared";

export interface ParsedMeshFile {
  mesh?: MeshFile;
  /** The Istio documents after the Mesh, as text for the control plane's apply. */
  istio: SourceInput;
  diagnostics: Diagnostic[];
}

/** Reads a mesh file; every problem is a diagnostic with file, line and field. */
export function parseMeshFile(file: string, text: string): ParsedMeshFile {
  const parsed = parseYamlFile(file, text);
  const diagnostics: Diagnostic[] = parsed.errors.map((e) => ({ severity: "error", code: "SK0001", message: `YAML syntax error: ${e.message}`, file, line: e.line, column: e.column, path: "" }));
  const meshDoc = parsed.documents.find((d) => (d.value as { kind?: unknown } | null)?.kind === "Mesh");
  const others = parsed.documents.filter((d) => d !== meshDoc);
  const lines = text.split("\n");
  // The Istio part keeps its original line numbers: blank out the Mesh document's lines.
  const istioText = meshDoc ? lines.map((l, i) => (inDocument(i + 1, meshDoc.position.line, others) ? "" : l)).join("\n") : text;
  if (!meshDoc) {
    // A syntax error can hide the Mesh document: then the syntax error alone is the news.
    if (parsed.errors.length > 0) return { istio: { file, text: istioText }, diagnostics };
    diagnostics.push({ severity: "error", code: "SK3001", message: "no `kind: Mesh` document (apiVersion: skein.dev/v1alpha1) in this file", file, line: 1, column: 1, path: "" });
    return { istio: { file, text: istioText }, diagnostics };
  }
  const result = meshSchema.safeParse(meshDoc.value, { reportInput: true });
  if (!result.success) {
    for (const f of findingsFromIssues(result.error.issues)) {
      const at = meshDoc.locate(f.path);
      diagnostics.push({ severity: "error", code: f.code, message: f.message, file, line: at.line, column: at.column, path: formatPath(f.path), kind: "Mesh" });
    }
    return { istio: { file, text: istioText }, diagnostics };
  }
  const seen = new Set<string>();
  result.data.spec.workloads.forEach((w, i) => {
    const key = `${w.namespace}/${w.name}`;
    if (seen.has(key)) {
      const at = meshDoc.locate(["spec", "workloads", i, "name"]);
      diagnostics.push({ severity: "error", code: "SK3002", message: `workload ${key} is listed twice`, file, line: at.line, column: at.column, path: `spec.workloads[${i}].name`, kind: "Mesh" });
    }
    seen.add(key);
  });
  // The Istio documents are checked here too, so a mistake in them stops `skein up` before
  // it starts anything. Only errors: without the mesh's services as context, the
  // cross-resource checks would warn that every host is unknown.
  if (istioText.trim() !== "") {
    const report = validateSources([{ file, text: istioText }]);
    diagnostics.push(...report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error"));
  }
  return { mesh: result.data, istio: { file, text: istioText }, diagnostics };
}

/** True when 1-based `line` belongs to the document starting at `start` (before the next document). */
function inDocument(line: number, start: number, others: readonly { position: { line: number } }[]): boolean {
  if (line < start) return false;
  const next = others.map((o) => o.position.line).filter((l) => l > start).sort((a, b) => a - b)[0];
  return next === undefined || line < next - 1;
}
