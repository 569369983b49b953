import {
  applyRequestSchema,
  Code,
  compareDiagnostics,
  validateSources,
  type ApplyRequest,
  type ApplyResult,
  type Change,
  type Diagnostic,
  type LoadedResource,
  type Resource,
  type Revision,
  type StoredResource,
} from "@skein/shared";
import type { Database } from "../store/db.ts";
import { HttpError } from "./http.ts";
import { resolveKind } from "./resource-kind.ts";
import { liveResources, liveVersion, parseBody, planChange, resourceOf, staleVersion, toChange, toStored, writeResource, type PlannedChange, type ResourceRow } from "./resource-row.ts";
import { bodyOf, describe, keyOf, renderYaml, resourceKey, type ResourceBody, type ResourceKey } from "./resource-yaml.ts";
import { errorsCausedInStored } from "./stored-impact.ts";

export type { ResourceKey } from "./resource-yaml.ts";

/** What a ChangeSet records as its `action`. */
export type ChangeAction = "apply" | "delete" | "rollback";

/** Told to listeners after each commit; the push engine recomputes the proxies these keys affect. */
export interface ConfigChangeEvent {
  changeSet: number;
  action: ChangeAction;
  author: string;
  changed: ResourceKey[];
}

export interface ConfigStoreOptions {
  /** The registry's workloads as Kubernetes-like objects, so cross-resource checks see the running mesh. */
  context?: () => readonly LoadedResource[];
}

/** A resourceVersion a write expects from outside the document, e.g. an `If-Match` header. */
export interface VersionPrecondition extends ResourceKey {
  resourceVersion: string;
}

export interface HistoryFilter {
  kind?: string;
  namespace?: string;
  name?: string;
  limit?: number;
}

export type RollbackTarget = { revision: number } | { changeSet: number };

const DEFAULT_HISTORY_LIMIT = 50;

/**
 * Istio config kept in the database with its history. Every write is validated against
 * the whole mesh first, then committed as one ChangeSet in one transaction, one Revision
 * per resource that changed. Writes are serialized in this process, and each row is
 * updated only if its resourceVersion is still the one read, so that even a write that
 * raced another over a second connection to the file fails with a 409 rather than
 * overwriting it.
 *
 * The resources in force are also kept in memory once `load()` has run, for the push
 * engine, which reads them on every recompute: this process is the database's only writer.
 */
export class ConfigStore {
  private readonly listeners = new Set<(event: ConfigChangeEvent) => void>();
  private tail: Promise<unknown> = Promise.resolve();
  /** Live resources by key, in creation order; undefined until load(). */
  private live: Map<string, Resource> | undefined;
  private liveList: readonly Resource[] | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: ConfigStoreOptions = {},
  ) {}

  /** A store with the resources in force loaded, ready for current(). */
  static async open(db: Database, options: ConfigStoreOptions = {}): Promise<ConfigStore> {
    return new ConfigStore(db, options).load();
  }

  /** Reads the resources in force into memory; current() answers from them from then on. */
  async load(): Promise<this> {
    await this.serialized(false, async () => {
      const rows = await this.db.resource.findMany({ where: { deleted: false }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
      this.live = new Map(rows.map((row) => [keyOf(row), resourceOf(parseBody(row), row.resourceVersion)]));
      this.liveList = undefined;
    });
    return this;
  }

  async list(filter: { kind?: string; namespace?: string } = {}): Promise<StoredResource[]> {
    const rows = await this.db.resource.findMany({
      where: { deleted: false, ...(filter.kind ? { kind: resolveKind(filter.kind) } : {}), ...(filter.namespace ? { namespace: filter.namespace } : {}) },
      orderBy: [{ kind: "asc" }, { namespace: "asc" }, { name: "asc" }],
    });
    return rows.map(toStored);
  }

  async get(kind: string, namespace: string, name: string): Promise<StoredResource> {
    const key = { kind: resolveKind(kind), namespace, name };
    const row = await this.db.resource.findUnique({ where: { kind_namespace_name: key } });
    if (!row || row.deleted) throw notFound(key);
    return toStored(row);
  }

  /** Every resource in force, oldest first (Istio resolves overlaps by creation time), as the compiler takes them. */
  current(): readonly Resource[] {
    if (!this.live) throw new Error("ConfigStore.current() needs load() (or ConfigStore.open) first");
    return (this.liveList ??= [...this.live.values()]);
  }

  /**
   * Validates every document against the stored config and the registry, then commits the
   * Istio resources among them all together, or nothing. Kubernetes objects in the input
   * only inform the checks. A document naming a resourceVersion is a conditional write.
   */
  async apply(request: ApplyRequest, author: string, preconditions: readonly VersionPrecondition[] = []): Promise<ApplyResult> {
    const req = applyRequestSchema.parse(request);
    return this.serialized(req.dryRun, async () => {
      const rows = await this.rows();
      const stored = liveResources(rows);
      const registry = this.options.context?.() ?? [];
      const report = validateSources(req.files, { defaultNamespace: req.namespace, context: [...stored.values(), ...registry] });
      const incoming = new Set(report.resources.filter((l) => l.family === "istio").map((l) => keyOf(resourceKey(l.resource))));
      const caused = report.errors === 0 ? errorsCausedInStored({ stored, changed: incoming, incoming: report.resources, registry }) : [];
      const diagnostics = [...report.files.flatMap((f) => f.diagnostics), ...notStored(report.resources), ...caused].sort(compareDiagnostics);
      if (report.errors > 0 || caused.length > 0) throw invalid("nothing was applied", diagnostics);

      const expected = new Map(preconditions.map((p) => [keyOf(p), p.resourceVersion]));
      const plan: PlannedChange[] = [];
      const conflicts: string[] = [];
      for (const l of report.resources) {
        if (l.family !== "istio") continue;
        const after = bodyOf(l.resource);
        const key = { kind: after.kind, namespace: after.metadata.namespace, name: after.metadata.name };
        const row = rows.get(keyOf(key));
        const version = l.resource.metadata.resourceVersion ?? expected.get(keyOf(key));
        const conflict = version === undefined ? undefined : staleVersion(key, row, version);
        if (conflict) conflicts.push(conflict);
        plan.push(planChange(key, row, after));
      }
      if (conflicts.length > 0) throw new HttpError(409, "Conflict", `${conflicts.join("; ")}; nothing was applied`);
      if (req.dryRun) return { dryRun: true, changes: plan.map((c) => toChange(c, liveVersion(c.row))), diagnostics };
      return { dryRun: false, ...(await this.commit(plan, author, "apply", req.message)), diagnostics };
    });
  }

  /** Deletes a resource, keeping its row and history so a rollback can bring it back. */
  async remove(kind: string, namespace: string, name: string, author: string, expectedResourceVersion?: string): Promise<ApplyResult> {
    const key = { kind: resolveKind(kind), namespace, name };
    return this.serialized(false, async () => {
      const row = await this.db.resource.findUnique({ where: { kind_namespace_name: key } });
      if (!row || row.deleted) throw notFound(key);
      const conflict = expectedResourceVersion === undefined ? undefined : staleVersion(key, row, expectedResourceVersion);
      if (conflict) throw new HttpError(409, "Conflict", `${conflict}; nothing was deleted`);
      return { dryRun: false, ...(await this.commit([planChange(key, row, null)], author, "delete", "")), diagnostics: [] };
    });
  }

  /** Revisions, newest first. */
  async history(filter: HistoryFilter = {}): Promise<Revision[]> {
    const rows = await this.db.revision.findMany({
      where: {
        ...(filter.kind ? { kind: resolveKind(filter.kind) } : {}),
        ...(filter.namespace ? { namespace: filter.namespace } : {}),
        ...(filter.name ? { name: filter.name } : {}),
      },
      orderBy: { id: "desc" },
      take: filter.limit ?? DEFAULT_HISTORY_LIMIT,
      include: { changeSet: true },
    });
    return rows.map((r) => ({
      id: r.id,
      changeSet: r.changeSetId,
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      operation: r.operation as Revision["operation"],
      resourceVersion: String(r.resourceVersion),
      author: r.changeSet.author,
      message: r.changeSet.message,
      createdAt: r.createdAt.toISOString(),
      diff: r.diff,
    }));
  }

  /**
   * Puts every resource a revision (or change set) touched back in the state it left it in:
   * recreated if it has been deleted since, deleted if that revision deleted it. The result
   * is validated like an apply and committed as a new change set, so a rollback is itself
   * in the history and can be rolled back.
   */
  async rollback(target: RollbackTarget, author: string): Promise<ApplyResult> {
    const what = "revision" in target ? `revision ${target.revision}` : `change set ${target.changeSet}`;
    const revisions = await this.db.revision.findMany({
      where: "revision" in target ? { id: target.revision } : { changeSetId: target.changeSet },
      orderBy: { id: "asc" },
    });
    if (revisions.length === 0) throw new HttpError(404, "NotFound", `there is no ${what}`);
    return this.serialized(false, async () => {
      const rows = await this.rows();
      const targets = new Map<string, { key: ResourceKey; after: ResourceBody | null; revision: number }>();
      for (const r of revisions) {
        const key = { kind: r.kind, namespace: r.namespace, name: r.name };
        targets.set(keyOf(key), { key, after: r.body === null ? null : (JSON.parse(r.body) as ResourceBody), revision: r.id });
      }
      // The resources rolled back are checked as they will be, the rest of the mesh as it is.
      const stored = liveResources(rows);
      const registry = this.options.context?.() ?? [];
      const changed = new Set(targets.keys());
      const files = [...targets.values()].filter((t) => t.after !== null).map((t) => ({ file: `${keyOf(t.key)}@revision-${t.revision}`, text: renderYaml(t.after) }));
      const others = [...stored].filter(([key]) => !changed.has(key)).map(([, l]) => l);
      const report = validateSources(files, { context: [...others, ...registry] });
      const caused = report.errors === 0 ? errorsCausedInStored({ stored, changed, incoming: report.resources, registry }) : [];
      const diagnostics = [...report.files.flatMap((f) => f.diagnostics), ...caused].sort(compareDiagnostics);
      if (report.errors > 0 || caused.length > 0) throw invalid(`rolling back to ${what} would leave invalid config; nothing was changed`, diagnostics);
      const plan = [...targets.values()].map((t) => planChange(t.key, rows.get(keyOf(t.key)), t.after));
      return { dryRun: false, ...(await this.commit(plan, author, "rollback", `rollback to ${what}`)), diagnostics };
    });
  }

  /** Calls `listener` after each commit; returns the function that stops it. */
  onChange(listener: (event: ConfigChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every row, deleted ones too (a recreate reuses its row and continues its versions). */
  private async rows(): Promise<Map<string, ResourceRow>> {
    const rows = await this.db.resource.findMany();
    return new Map(rows.map((r) => [keyOf(r), r]));
  }

  /**
   * Runs writes one at a time, so that what a write validated and diffed against is still
   * the state when it commits; dry runs read and never wait.
   */
  private serialized<T>(dryRun: boolean, fn: () => Promise<T>): Promise<T> {
    if (dryRun) return fn();
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async commit(plan: PlannedChange[], author: string, action: ChangeAction, message: string): Promise<{ changeSet?: number; changes: Change[] }> {
    const changed = plan.filter((c) => c.operation !== "unchanged");
    const versions = new Map<PlannedChange, number>();
    if (changed.length === 0) return { changes: plan.map((c) => toChange(c, liveVersion(c.row))) };
    const changeSet = await this.db.$transaction(async (tx) => {
      const cs = await tx.changeSet.create({ data: { author, action, message } });
      for (const c of changed) {
        const version = await writeResource(tx, c);
        versions.set(c, version);
        await tx.revision.create({
          data: {
            changeSetId: cs.id,
            kind: c.kind,
            namespace: c.namespace,
            name: c.name,
            operation: c.operation,
            resourceVersion: version,
            body: c.after ? JSON.stringify(c.after) : null,
            previous: c.before ? JSON.stringify(c.before) : null,
            diff: c.diff,
          },
        });
      }
      return cs.id;
    });
    if (this.live) {
      for (const c of changed) {
        // An update keeps its place; a recreated resource is new again and goes to the end.
        if (c.operation !== "update") this.live.delete(keyOf(c));
        if (c.after) this.live.set(keyOf(c), resourceOf(c.after, versions.get(c)!));
      }
      this.liveList = undefined;
    }
    const event: ConfigChangeEvent = { changeSet, action, author, changed: changed.map(({ kind, namespace, name }) => ({ kind, namespace, name })) };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        // The change is committed; a failing listener must not turn it into an error for the writer.
        console.error("skein controlplane: config change listener failed", e);
      }
    }
    return { changeSet, changes: plan.map((c) => toChange(c, versions.get(c) ?? liveVersion(c.row))) };
  }
}

function notFound(key: ResourceKey): HttpError {
  return new HttpError(404, "NotFound", `${describe(key)} not found`);
}

/** A 422 whose message carries the first error, for clients that print only the message. */
function invalid(outcome: string, diagnostics: Diagnostic[]): HttpError {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const first = errors[0];
  const where = first ? `; first: ${first.file}:${first.line}:${first.column}${first.path ? ` ${first.path}` : ""}: ${first.message}` : "";
  return new HttpError(422, "Invalid", `${errors.length} validation error(s)${where}; ${outcome}`, diagnostics);
}

/** Kubernetes objects are read for the checks but never stored: the registry is the source of workloads. */
function notStored(resources: readonly LoadedResource[]): Diagnostic[] {
  return resources
    .filter((l) => l.family === "kubernetes")
    .map((l) => {
      const r = l.resource;
      const at = l.source.locate(["kind"]);
      return {
        severity: "info" as const,
        code: Code.unknownKind,
        message: `${r.kind} ${r.metadata.namespace}/${r.metadata.name} was used to check the Istio config but is not stored: the control plane keeps Istio kinds only`,
        file: l.source.file,
        line: at.line,
        column: at.column,
        path: "kind",
        kind: r.kind,
        name: r.metadata.name,
        namespace: r.metadata.namespace,
      };
    });
}
