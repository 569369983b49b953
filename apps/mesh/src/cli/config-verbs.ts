import { stringify } from "yaml";
import type { ApplyResult, Revision, StoredResource } from "@skein/shared";
import { ApiCallFailed, ApiUnavailable, callApi, resolveTarget } from "./api-client.ts";
import { readInputs } from "./inputs.ts";
import { parseVerbArgs, UsageError, type Io, type Verb } from "./usage.ts";
import { formatDiagnostic } from "./validate.ts";

/** Kinds by what people type: `vs`, `virtualservices`, `VirtualService`. */
const KIND_ALIASES: Record<string, string> = {
  vs: "VirtualService", virtualservice: "VirtualService", virtualservices: "VirtualService",
  dr: "DestinationRule", destinationrule: "DestinationRule", destinationrules: "DestinationRule",
  gw: "Gateway", gateway: "Gateway", gateways: "Gateway",
  se: "ServiceEntry", serviceentry: "ServiceEntry", serviceentries: "ServiceEntry",
  pa: "PeerAuthentication", peerauthentication: "PeerAuthentication", peerauthentications: "PeerAuthentication",
  ap: "AuthorizationPolicy", authorizationpolicy: "AuthorizationPolicy", authorizationpolicies: "AuthorizationPolicy",
  ra: "RequestAuthentication", requestauthentication: "RequestAuthentication", requestauthentications: "RequestAuthentication",
};

export function resolveKind(text: string): string {
  const k = KIND_ALIASES[text.toLowerCase()];
  if (!k) throw new UsageError(`unknown kind "${text}"; use one of ${[...new Set(Object.values(KIND_ALIASES))].join(", ")} (or vs, dr, gw, se, pa, ap, ra)`);
  return k;
}

/** Runs an API call and turns the control plane's refusals into printed diagnostics and exit 1. */
async function guarded(io: Io, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ApiCallFailed) {
      for (const d of e.body?.error.diagnostics ?? []) io.stderr(formatDiagnostic(d) + "\n");
      io.stderr(`error: ${e.message}${e.status === 409 ? " (someone changed it since you read it: get it again, re-apply your change)" : ""}\n`);
      return 1;
    }
    if (e instanceof ApiUnavailable) {
      io.stderr(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function printChanges(io: Io, r: ApplyResult, showDiff: boolean): void {
  for (const d of r.diagnostics.filter((d) => d.severity !== "info")) io.stderr(formatDiagnostic(d) + "\n");
  for (const c of r.changes) {
    const verb = c.operation === "unchanged" ? "unchanged" : r.dryRun ? `${c.operation} (dry run)` : `${c.operation}d`;
    io.stdout(`${c.kind.toLowerCase()}/${c.name} -n ${c.namespace} ${verb}\n`);
    if (showDiff && c.diff) io.stdout(c.diff.endsWith("\n") ? c.diff : c.diff + "\n");
  }
}

export const applyVerb: Verb = {
  name: "apply",
  summary: "apply Istio YAML to the mesh, all or nothing",
  usage: `Usage: skein apply -f PATH [-f PATH ...] [--dry-run] [--diff] [-n NAMESPACE] [-m MESSAGE]

Validates every document (with the mesh's current config as context) and applies them
in one transaction: if any document has an error, nothing changes. A document that
carries metadata.resourceVersion is applied only if it is still current (409 otherwise).

Options:
  -f, --filename PATH   a file, a directory (*.yaml/*.yml) or - for stdin; repeatable
      --dry-run         validate and show what would change; change nothing
      --diff            print the diff of each change
  -n, --namespace NS    namespace for documents that name none (default: default)
  -m, --message TEXT    a note kept in the history with this change
Environment: SKEIN_CONTROL_PLANE_URL, SKEIN_TOKEN, SKEIN_STATE_DIR (see README).`,
  async run(argv, io) {
    const { values } = parseVerbArgs(argv, {
      filename: { type: "string", short: "f", multiple: true },
      "dry-run": { type: "boolean", default: false },
      diff: { type: "boolean", default: false },
      namespace: { type: "string", short: "n", default: "default" },
      message: { type: "string", short: "m", default: "" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    if (!values.filename?.length) throw new UsageError("at least one -f PATH is required");
    const { inputs, failures } = await readInputs(values.filename, io.cwd, io.readStdin);
    if (failures.length > 0) {
      for (const f of failures) io.stderr(`${f.file}:1:1: error SK0007 cannot read: ${f.message}\n`);
      return 1;
    }
    return guarded(io, async () => {
      const r = await callApi<ApplyResult>(resolveTarget(), "POST", "/api/v1/apply", { files: inputs, dryRun: values["dry-run"], namespace: values.namespace, message: values.message });
      printChanges(io, r, values.diff || values["dry-run"]);
      return 0;
    });
  },
};

export const getVerb: Verb = {
  name: "get",
  summary: "show Istio resources stored in the mesh",
  usage: `Usage: skein get KIND [NAME] [-n NAMESPACE | -A] [-o table|yaml|json]

KIND is VirtualService, DestinationRule, Gateway, ServiceEntry, PeerAuthentication,
AuthorizationPolicy, RequestAuthentication, or a short name (vs, dr, gw, se, pa, ap, ra).`,
  async run(argv, io) {
    const { values, positionals } = parseVerbArgs(
      argv,
      { namespace: { type: "string", short: "n" }, "all-namespaces": { type: "boolean", short: "A", default: false }, output: { type: "string", short: "o", default: "table" }, help: { type: "boolean", short: "h" } },
      true,
    );
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError("usage: skein get KIND [NAME]");
    if (!["table", "yaml", "json"].includes(values.output!)) throw new UsageError("--output must be table, yaml or json");
    const kind = resolveKind(positionals[0]!);
    const name = positionals[1];
    const ns = values["all-namespaces"] ? undefined : (values.namespace ?? "default");
    return guarded(io, async () => {
      const target = resolveTarget();
      let items: StoredResource[];
      if (name) {
        items = [await callApi<StoredResource>(target, "GET", `/api/v1/resources/${kind}/${ns ?? "default"}/${encodeURIComponent(name)}`)];
      } else {
        const q = new URLSearchParams({ kind, ...(ns ? { namespace: ns } : {}) });
        items = (await callApi<{ items: StoredResource[] }>(target, "GET", `/api/v1/resources?${q}`)).items;
      }
      if (values.output === "json") io.stdout(JSON.stringify(name ? items[0] : { items }, null, 2) + "\n");
      else if (values.output === "yaml") io.stdout(items.map((i) => stringify(i)).join("---\n"));
      else {
        if (items.length === 0) io.stderr(`no ${kind} found${ns ? ` in namespace ${ns}` : ""}\n`);
        else {
          const rows = [["NAMESPACE", "NAME", "VERSION", "CREATED"], ...items.map((i) => [i.metadata.namespace, i.metadata.name, i.metadata.resourceVersion, i.metadata.creationTimestamp ?? ""])];
          const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
          for (const r of rows) io.stdout(r.map((cell, c) => cell.padEnd(w[c]!)).join("  ").trimEnd() + "\n");
        }
      }
      return 0;
    });
  },
};

export const deleteVerb: Verb = {
  name: "delete",
  summary: "delete an Istio resource from the mesh",
  usage: `Usage: skein delete KIND NAME [-n NAMESPACE] [--resource-version N]

Deletes the resource (kept in history, so \`skein rollback\` can bring it back). With
--resource-version, refuses (409) if it changed since that version.`,
  async run(argv, io) {
    const { values, positionals } = parseVerbArgs(argv, { namespace: { type: "string", short: "n", default: "default" }, "resource-version": { type: "string" }, help: { type: "boolean", short: "h" } }, true);
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    if (positionals.length !== 2) throw new UsageError("usage: skein delete KIND NAME");
    const kind = resolveKind(positionals[0]!);
    const q = values["resource-version"] ? `?resourceVersion=${encodeURIComponent(values["resource-version"])}` : "";
    return guarded(io, async () => {
      const r = await callApi<ApplyResult>(resolveTarget(), "DELETE", `/api/v1/resources/${kind}/${values.namespace}/${encodeURIComponent(positionals[1]!)}${q}`);
      printChanges(io, r, false);
      return 0;
    });
  },
};

export const historyVerb: Verb = {
  name: "history",
  summary: "list config changes, newest first",
  usage: `Usage: skein history [KIND [NAME]] [-n NAMESPACE] [--limit N] [--diff]`,
  async run(argv, io) {
    const { values, positionals } = parseVerbArgs(argv, { namespace: { type: "string", short: "n" }, limit: { type: "string", default: "20" }, diff: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } }, true);
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    const q = new URLSearchParams({ limit: values.limit! });
    if (positionals[0]) q.set("kind", resolveKind(positionals[0]));
    if (positionals[1]) q.set("name", positionals[1]);
    if (values.namespace) q.set("namespace", values.namespace);
    return guarded(io, async () => {
      const { items } = await callApi<{ items: Revision[] }>(resolveTarget(), "GET", `/api/v1/history?${q}`);
      for (const r of items) {
        io.stdout(`#${r.id}  change set ${r.changeSet}  ${r.createdAt}  ${r.author}  ${r.operation} ${r.kind}/${r.name} -n ${r.namespace} (v${r.resourceVersion})${r.message ? `  "${r.message}"` : ""}\n`);
        if (values.diff && r.diff) io.stdout(r.diff.endsWith("\n") ? r.diff : r.diff + "\n");
      }
      if (items.length === 0) io.stderr("no changes recorded\n");
      return 0;
    });
  },
};

export const rollbackVerb: Verb = {
  name: "rollback",
  summary: "restore config as it was right after a revision or change set",
  usage: `Usage: skein rollback REVISION | --change-set N

Restores the resource of revision REVISION (see \`skein history\`) to its state right
after that revision; with --change-set, every resource that change set touched. The
rollback is validated like an apply and recorded in the history.`,
  async run(argv, io) {
    const { values, positionals } = parseVerbArgs(argv, { "change-set": { type: "string" }, help: { type: "boolean", short: "h" } }, true);
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    const n = Number(values["change-set"] ?? positionals[0]);
    if (!Number.isInteger(n) || n <= 0 || (values["change-set"] !== undefined) === (positionals.length > 0)) throw new UsageError("give one REVISION number, or --change-set N");
    return guarded(io, async () => {
      const r = await callApi<ApplyResult>(resolveTarget(), "POST", "/api/v1/rollback", values["change-set"] !== undefined ? { changeSet: n } : { revision: n });
      printChanges(io, r, true);
      return 0;
    });
  },
};
