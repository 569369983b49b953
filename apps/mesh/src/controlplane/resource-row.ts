import type { Change, LoadedResource, Resource, StoredResource } from "@skein/shared";
import type { Prisma, Resource as ResourceRow } from "../../../../prisma/generated/client.ts";
import { HttpError } from "./http.ts";
import { describe, diffBodies, loadedFromStore, sameBody, type ResourceBody, type ResourceKey } from "./resource-yaml.ts";

export type { ResourceRow };

/*
 * A Resource row of the database: the change planned for it, the conditional write that
 * makes it, and the shapes the API and the compiler read it in.
 */

/** One resource's change as planned before the commit: its state now and after. */
export interface PlannedChange extends ResourceKey {
  row: ResourceRow | undefined;
  before: ResourceBody | null;
  after: ResourceBody | null;
  operation: Change["operation"];
  diff: string;
}

/** Writes the row only if nobody changed it since it was read; returns its new resourceVersion. */
export async function writeResource(tx: Prisma.TransactionClient, c: PlannedChange): Promise<number> {
  const body = (c.after ?? c.before)!;
  // A deleted row keeps its last body: history and rollback read revisions, this is for inspection.
  const data = { apiVersion: body.apiVersion, body: JSON.stringify(body), deleted: c.after === null };
  if (!c.row) {
    try {
      await tx.resource.create({ data: { kind: c.kind, namespace: c.namespace, name: c.name, resourceVersion: 1, ...data } });
    } catch (e) {
      if ((e as { code?: unknown }).code === "P2002") throw changedMeanwhile(c);
      throw e;
    }
    return 1;
  }
  const version = c.row.resourceVersion + 1;
  const { count } = await tx.resource.updateMany({
    where: { id: c.row.id, resourceVersion: c.row.resourceVersion },
    data: { ...data, resourceVersion: version, ...(c.operation === "create" ? { createdAt: new Date() } : {}) },
  });
  if (count !== 1) throw changedMeanwhile(c);
  return version;
}

export function planChange(key: ResourceKey, row: ResourceRow | undefined, after: ResourceBody | null): PlannedChange {
  const before = row && !row.deleted ? parseBody(row) : null;
  const operation = sameBody(before, after) ? "unchanged" : before === null ? "create" : after === null ? "delete" : "update";
  return { ...key, row, before, after, operation, diff: operation === "unchanged" ? "" : diffBodies(key, before, after) };
}

/** Why a write expecting `expected` must not go ahead, or undefined when it may. */
export function staleVersion(key: ResourceKey, row: ResourceRow | undefined, expected: string): string | undefined {
  if (row && !row.deleted && String(row.resourceVersion) === expected) return undefined;
  const now = !row ? "it does not exist" : row.deleted ? `it was deleted (resourceVersion ${row.resourceVersion})` : `the stored resourceVersion is ${row.resourceVersion}`;
  return `${describe(key)} was changed by someone else: the write expects resourceVersion ${expected} but ${now}; get it again and reapply your change`;
}

export function changedMeanwhile(key: ResourceKey): HttpError {
  return new HttpError(409, "Conflict", `${describe(key)} was changed by another writer while this one was being applied; nothing was applied, try again`);
}

/** The live stored resources as the validator takes them, by key. */
export function liveResources(rows: Map<string, ResourceRow>): Map<string, LoadedResource> {
  const live = new Map<string, LoadedResource>();
  for (const [key, row] of rows) if (!row.deleted) live.set(key, loadedFromStore(parseBody(row)));
  return live;
}

export function parseBody(row: ResourceRow): ResourceBody {
  return JSON.parse(row.body) as ResourceBody;
}

export function resourceOf(body: ResourceBody, version: number): Resource {
  return { apiVersion: body.apiVersion, kind: body.kind, metadata: { ...body.metadata, resourceVersion: String(version) }, spec: body.spec };
}

export function liveVersion(row: ResourceRow | undefined): number | undefined {
  return row && !row.deleted ? row.resourceVersion : undefined;
}

export function toChange(c: PlannedChange, version: number | undefined): Change {
  return { kind: c.kind, namespace: c.namespace, name: c.name, operation: c.operation, diff: c.diff, ...(version !== undefined ? { resourceVersion: String(version) } : {}) };
}

export function toStored(row: ResourceRow): StoredResource {
  const body = parseBody(row);
  const { name, namespace, ...rest } = body.metadata;
  return {
    apiVersion: row.apiVersion,
    kind: row.kind,
    metadata: { name, namespace, resourceVersion: String(row.resourceVersion), ...rest, creationTimestamp: row.createdAt.toISOString() },
    spec: body.spec,
  };
}
