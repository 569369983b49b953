import type { Resource } from "@skein/shared";

/** Workloads a resource can affect: those in `namespace` whose labels match `labels`. */
export interface Scope {
  namespace: string;
  labels: Record<string, string>;
}

export type ResourcesByKey = ReadonlyMap<string, Resource>;

export function byKey(resources: readonly Resource[]): Map<string, Resource> {
  return new Map(resources.map((r) => [`${r.kind}/${r.metadata.namespace}/${r.metadata.name}`, r]));
}

/**
 * The workloads whose config a change from `before` to `after` may alter, or "all". A
 * resource that is the same object on both sides did not change (the config store
 * replaces what it changes); a namespace that appears or goes changes how every sidecar
 * resolves short host names.
 */
export function changedScopes(before: ResourcesByKey, after: ResourcesByKey, rootNamespace: string): Scope[] | "all" {
  const scopes: Scope[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const [was, is] = [before.get(key), after.get(key)];
    if (was === is) continue;
    for (const r of [was, is]) {
      if (r === undefined) continue;
      const scope = workloadScope(r, rootNamespace);
      if (!scope) return "all";
      scopes.push(scope);
    }
  }
  if (!sameSet(namespacesOf(before), namespacesOf(after))) return "all";
  return scopes;
}

/**
 * The workloads whose snapshot a resource can alter, when it says so itself; undefined
 * for "any sidecar". Only a DestinationRule with a workloadSelector qualifies: Istio
 * applies it to the selected workloads of its own namespace alone, as callers (the
 * compiler's pickDestinationRule). Every other kind, and anything in the root namespace,
 * may reach any sidecar (a VirtualService or DestinationRule is seen by every caller; a
 * server's policies may one day shape its callers' TLS, as in Istio's auto mTLS).
 */
export function workloadScope(r: Resource, rootNamespace: string): Scope | undefined {
  if (r.kind !== "DestinationRule" || r.metadata.namespace === rootNamespace) return undefined;
  const labels = (r.spec as { workloadSelector?: { matchLabels?: Record<string, string> } }).workloadSelector?.matchLabels;
  return labels && Object.keys(labels).length > 0 ? { namespace: r.metadata.namespace, labels } : undefined;
}

function namespacesOf(resources: ResourcesByKey): Set<string> {
  return new Set([...resources.values()].map((r) => r.metadata.namespace));
}

function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
