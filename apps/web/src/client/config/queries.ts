"use client";
import { queryOptions } from "@tanstack/react-query";
import type { ApplyRequest, ApplyResult, Diagnostic, Revision, StoredResource, Workload } from "@skein/shared/browser";
import { apiGet, apiSend } from "../api";
import { configKeys, meshKeys } from "../query-keys";

/** The control plane's API as the console relays it (docs/api.md). */
const CP = "/api/cp/api/v1";

export interface ResourceWithValidation {
  resource: StoredResource;
  validation: { kind: string; namespace: string; name: string; errors: number; warnings: number; diagnostics: Diagnostic[] };
}

export const configStatusQuery = () =>
  queryOptions({
    queryKey: configKeys.status(),
    queryFn: ({ signal }) => apiGet<{ items: ResourceWithValidation[] }>("/api/config/status", signal).then((r) => r.items),
  });

/** Every stored resource: the editor's validation context and the wizards' starting point. */
export const resourcesQuery = () =>
  queryOptions({
    queryKey: configKeys.list(),
    queryFn: ({ signal }) => apiGet<{ items: StoredResource[] }>(`${CP}/resources`, signal).then((r) => r.items),
  });

const path = (kind: string, namespace: string, name: string) => `${CP}/resources/${encodeURIComponent(kind)}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

export const resourceQuery = (kind: string, namespace: string, name: string) =>
  queryOptions({
    queryKey: configKeys.resource(kind, namespace, name),
    queryFn: ({ signal }) => apiGet<StoredResource>(path(kind, namespace, name), signal),
    // The editor's baseline must not change under the author's feet; refetches are explicit.
    staleTime: Infinity,
  });

export const historyQuery = (kind: string, namespace: string, name: string) =>
  queryOptions({
    queryKey: configKeys.history({ kind, namespace, name }),
    queryFn: ({ signal }) =>
      apiGet<{ items: Revision[] }>(`${CP}/history?${new URLSearchParams({ kind, namespace, name, limit: "50" })}`, signal).then((r) => r.items),
  });

export const workloadsQuery = () =>
  queryOptions({
    queryKey: meshKeys.workloads(),
    queryFn: ({ signal }) => apiGet<{ items: Workload[] }>(`${CP}/workloads`, signal).then((r) => r.items),
    staleTime: 10_000,
  });

/** Replaces one resource, only if it is still at `resourceVersion` (409 otherwise). */
export function putResource(kind: string, namespace: string, name: string, text: string, resourceVersion: string): Promise<ApplyResult> {
  const body: ApplyRequest = { files: [{ file: `${kind}/${namespace}/${name}.yaml`, text }], namespace };
  return apiSend<ApplyResult>("PUT", path(kind, namespace, name), body, { "if-match": `"${resourceVersion}"` });
}

/** Applies every document of `text` in one change; documents naming a resourceVersion are conditional. */
export function applyYaml(file: string, text: string, namespace: string, dryRun = false): Promise<ApplyResult> {
  const body: ApplyRequest = { files: [{ file, text }], namespace, dryRun };
  return apiSend<ApplyResult>("POST", `${CP}/apply`, body);
}

export function rollbackTo(revision: number): Promise<ApplyResult> {
  return apiSend<ApplyResult>("POST", `${CP}/rollback`, { revision });
}

export function deleteResource(kind: string, namespace: string, name: string, resourceVersion: string): Promise<ApplyResult> {
  return apiSend<ApplyResult>("DELETE", path(kind, namespace, name), undefined, { "if-match": `"${resourceVersion}"` });
}

/** The control plane's diagnostics carried by a 422 (error.diagnostics). */
export function diagnosticsOf(body: unknown): Diagnostic[] {
  const d = (body as { error?: { diagnostics?: unknown } } | undefined)?.error?.diagnostics;
  return Array.isArray(d) ? (d as Diagnostic[]) : [];
}
