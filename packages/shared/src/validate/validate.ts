import { compareDiagnostics, countBySeverity, formatPath, type Diagnostic, type PathSegment, type Severity } from "../diagnostics.ts";
import { Code } from "../model/codes.ts";
import { parseYamlFile, type SourceDocument } from "../yaml/source.ts";
import { runCrossChecks } from "./cross/index.ts";
import { loadDocument, type LoadedResource } from "./load.ts";

export interface SourceInput {
  file: string;
  text: string;
}

export interface ValidateOptions {
  /** Namespace assumed for resources without one; kubectl's default is "default". */
  defaultNamespace?: string;
  /**
   * Resources that exist already (a control plane's store and registry): they take part
   * in cross-resource checks but are not reported on.
   */
  context?: readonly LoadedResource[];
}

export interface FileReport {
  file: string;
  resources: number;
  diagnostics: Diagnostic[];
}

export interface ValidationReport {
  files: FileReport[];
  errors: number;
  warnings: number;
  /** Every resource that passed its schema, in input order. */
  resources: LoadedResource[];
}

/** Validates a set of files as one input: schema per document, then cross-resource checks. */
export function validateSources(inputs: readonly SourceInput[], options: ValidateOptions = {}): ValidationReport {
  const defaultNamespace = options.defaultNamespace ?? "default";
  const reports = new Map<string, FileReport>();
  const resources: LoadedResource[] = [];
  const seen = new Map<string, LoadedResource>();

  for (const input of inputs) {
    const report: FileReport = { file: input.file, resources: 0, diagnostics: [] };
    reports.set(input.file, report);
    const parsed = parseYamlFile(input.file, input.text);
    for (const e of parsed.errors) {
      report.diagnostics.push({ severity: "error", code: Code.yamlSyntax, message: `YAML syntax error: ${e.message}`, file: e.file, line: e.line, column: e.column, path: "" });
    }
    if (parsed.errors.length === 0 && parsed.documents.length === 0) {
      report.diagnostics.push({ severity: "warning", code: Code.emptyFile, message: "no resources in this file", file: input.file, line: 1, column: 1, path: "" });
    }
    for (const doc of parsed.documents) {
      report.resources++;
      const result = loadDocument(doc, { defaultNamespace });
      for (const f of result.findings) report.diagnostics.push(toDiagnostic(doc, f.path, f.severity, f.code, f.message, result.identity));
      if (!result.loaded) continue;
      const r = result.loaded.resource;
      const key = `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;
      const earlier = seen.get(key);
      if (earlier) {
        const where = `${earlier.source.file}:${earlier.source.position.line}`;
        report.diagnostics.push(
          toDiagnostic(doc, ["metadata", "name"], "warning", Code.duplicateResource, `${r.kind} ${r.metadata.namespace}/${r.metadata.name} is defined again (first at ${where}); applying both, the later one replaces the earlier`, result.identity),
        );
        // As with kubectl apply, the later definition is the one that takes effect.
        resources[resources.indexOf(earlier)] = result.loaded;
      } else {
        resources.push(result.loaded);
      }
      seen.set(key, result.loaded);
    }
  }

  const context = options.context ?? [];
  const contextSet = new Set(context);
  for (const f of runCrossChecks([...context.filter((c) => !seen.has(keyOf(c))), ...resources])) {
    if (contextSet.has(f.target)) continue;
    const report = reports.get(f.target.source.file);
    if (!report) continue;
    const m = f.target.resource.metadata;
    report.diagnostics.push(toDiagnostic(f.target.source, f.path, f.severity, f.code, f.message, { kind: f.target.resource.kind, name: m.name, namespace: m.namespace }));
  }

  const files = [...reports.values()];
  let errors = 0;
  let warnings = 0;
  for (const f of files) {
    f.diagnostics.sort(compareDiagnostics);
    const c = countBySeverity(f.diagnostics);
    errors += c.errors;
    warnings += c.warnings;
  }
  return { files, errors, warnings, resources };
}

function keyOf(l: LoadedResource): string {
  const r = l.resource;
  return `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;
}

function toDiagnostic(
  doc: SourceDocument,
  path: readonly PathSegment[],
  severity: Severity,
  code: string,
  message: string,
  identity: { kind?: string; name?: string; namespace?: string },
): Diagnostic {
  const at = doc.locate(path);
  return { severity, code, message, file: doc.file, line: at.line, column: at.column, path: formatPath(path), ...identity };
}
