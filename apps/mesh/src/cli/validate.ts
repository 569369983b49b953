import { Code, validateSources, type Diagnostic, type FileReport } from "@skein/shared";
import { readInputs } from "./inputs.ts";
import { parseVerbArgs, UsageError, type Io, type Verb } from "./usage.ts";

export const validateVerb: Verb = {
  name: "validate",
  summary: "check Istio configuration files for errors, before applying them",
  usage: `Usage: skein validate -f PATH [-f PATH ...] [--output text|json] [--strict] [-n NAMESPACE]

Validates Istio resources (VirtualService, DestinationRule, Gateway, ServiceEntry,
PeerAuthentication, AuthorizationPolicy, RequestAuthentication) against Istio's API and
validation rules, then checks the resources against each other (subsets, hosts,
gateways, selectors, mTLS). Kubernetes objects in the same files (Service, Deployment,
ServiceAccount, Namespace, ...) are recognised and used by those checks.

Options:
  -f, --filename PATH   a file, a directory (recursively, *.yaml/*.yml) or - for stdin; repeatable
  -o, --output FORMAT   text (default): one line per finding, file:line:col: severity CODE message (path)
                        json: {"files":[...],"errors":N,"warnings":N}
      --strict          warnings also fail (exit 1)
  -n, --namespace NS    namespace for resources that name none (default: default)
  -h, --help            show this help

Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 usage error.
Codes are explained in docs/validation.md.`,
  async run(argv: string[], io: Io): Promise<number> {
    const { values } = parseVerbArgs(argv, {
      filename: { type: "string", short: "f", multiple: true },
      output: { type: "string", short: "o", default: "text" },
      strict: { type: "boolean", default: false },
      namespace: { type: "string", short: "n", default: "default" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) {
      io.stdout(this.usage + "\n");
      return 0;
    }
    const paths = values.filename ?? [];
    if (paths.length === 0) throw new UsageError("at least one -f PATH is required");
    if (values.output !== "text" && values.output !== "json") throw new UsageError(`--output must be text or json, not "${values.output}"`);

    const { inputs, failures } = await readInputs(paths, io.cwd, io.readStdin);
    const report = validateSources(inputs, { defaultNamespace: values.namespace });
    // A path that could not be read is part of the result, not a crash.
    const readReports: FileReport[] = failures.map((f) => ({
      file: f.file,
      resources: 0,
      diagnostics: [{ severity: "error", code: Code.readFailed, message: `cannot read: ${f.message}`, file: f.file, line: 1, column: 1, path: "" }],
    }));
    const files = [...readReports, ...report.files];
    const errors = report.errors + readReports.length;
    const warnings = report.warnings;

    if (values.output === "json") {
      io.stdout(JSON.stringify({ files: files.map(toJsonFile), errors, warnings }, null, 2) + "\n");
    } else {
      for (const f of files) for (const d of f.diagnostics) io.stdout(formatDiagnostic(d) + "\n");
      const resources = report.files.reduce((n, f) => n + f.resources, 0);
      io.stderr(`${files.length} file(s), ${resources} resource(s): ${errors} error(s), ${warnings} warning(s)\n`);
    }
    return errors > 0 || (values.strict && warnings > 0) ? 1 : 0;
  },
};

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code} ${d.message}${d.path ? ` (${d.path})` : ""}`;
}

function toJsonFile(f: FileReport) {
  return {
    file: f.file,
    resources: f.resources,
    diagnostics: f.diagnostics.map((d) => ({
      severity: d.severity,
      code: d.code,
      message: d.message,
      line: d.line,
      column: d.column,
      path: d.path,
      kind: d.kind ?? null,
      name: d.name ?? null,
      namespace: d.namespace ?? null,
    })),
  };
}
