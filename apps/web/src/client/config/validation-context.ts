import { loadDocument, registryValidationContext, type LoadedResource, type StoredResource, type Workload } from "@skein/shared/browser";

/**
 * A stored resource as the author wrote it: what the store adds (resourceVersion,
 * creationTimestamp) is bookkeeping, and the editor's text leaves it out so that the
 * version travels in If-Match instead.
 */
export function authoredBody(r: StoredResource): { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: unknown } {
  const m = r.metadata;
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    metadata: { name: m.name, namespace: m.namespace, ...(m.labels ? { labels: m.labels } : {}), ...(m.annotations ? { annotations: m.annotations } : {}) },
    spec: r.spec,
  };
}

export function resourceKey(r: { kind: string; metadata: { namespace?: string; name: string } }): string {
  return `${r.kind}/${r.metadata.namespace ?? ""}/${r.metadata.name}`;
}

/**
 * What the editor validates against, as the control plane does before it commits: every
 * other stored resource and the registered workloads (as Deployments and Services), so
 * cross-resource checks (unknown subset, host no Service answers for) work while typing.
 * The resource being edited is replaced by the editor's text (the validator drops a
 * context entry the input redefines).
 */
export function configValidationContext(resources: readonly StoredResource[], workloads: readonly Workload[]): LoadedResource[] {
  const stored = resources.flatMap((r, index) => {
    const value = authoredBody(r);
    const position = { line: 1, column: 1 };
    const { loaded } = loadDocument({ file: `store:${resourceKey(r)}`, index, position, value, locate: () => position }, { defaultNamespace: r.metadata.namespace });
    return loaded ? [loaded] : [];
  });
  return [...stored, ...registryValidationContext(workloads)];
}
