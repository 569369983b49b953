import { formatPath, runCrossChecks, type CrossFinding, type Diagnostic, type LoadedResource } from "@skein/shared";
import { keyOf, resourceKey } from "./resource-yaml.ts";

export interface MeshChange {
  /** Every live stored resource, by key. */
  stored: ReadonlyMap<string, LoadedResource>;
  /** Keys of the stored resources the change replaces or deletes. */
  changed: ReadonlySet<string>;
  /** What the change brings in (its Istio resources and any Kubernetes objects beside them). */
  incoming: readonly LoadedResource[];
  /** The registry's workloads and services. */
  registry: readonly LoadedResource[];
}

/**
 * Errors a change causes in stored resources that it leaves as they are: a DestinationRule
 * that drops a subset a stored VirtualService routes to, a rollback that brings back a
 * conflicting policy. The validator reports on its input only, so the cross-resource
 * checks run over the mesh as it is and as it would be, and only errors that are new are
 * kept: an error already in the store does not block unrelated changes.
 */
export function errorsCausedInStored(change: MeshChange): Diagnostic[] {
  const unchanged = [...change.stored].filter(([key]) => !change.changed.has(key)).map(([, l]) => l);
  const replaced = [...change.changed].map((key) => change.stored.get(key)).filter((l): l is LoadedResource => l !== undefined);
  const targets = new Set(unchanged);
  const errorsIn = (mesh: LoadedResource[]) => runCrossChecks(mesh).filter((f) => f.severity === "error" && targets.has(f.target));
  const before = new Set(errorsIn([...unchanged, ...replaced, ...change.registry]).map(identity));
  return errorsIn([...unchanged, ...change.incoming, ...change.registry])
    .filter((f) => !before.has(identity(f)))
    .map((f) => {
      const key = resourceKey(f.target.resource);
      const at = f.target.source.locate(f.path);
      return { severity: "error", code: f.code, message: `after this change, ${f.message}`, file: f.target.source.file, line: at.line, column: at.column, path: formatPath(f.path), ...key };
    });
}

/** The same problem in the same place; messages may differ (they list what is defined now). */
function identity(f: CrossFinding): string {
  return `${keyOf(resourceKey(f.target.resource))}|${f.code}|${formatPath(f.path)}`;
}
