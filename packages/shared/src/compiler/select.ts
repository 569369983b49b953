import type { Resource } from "../model/resource.ts";

import { ROOT_NAMESPACE } from "../mesh/hosts.ts";

export { ROOT_NAMESPACE };

export function labelsMatch(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

interface Selectable {
  selector?: { matchLabels?: Record<string, string> } | undefined;
}

/**
 * The policies (PeerAuthentication, AuthorizationPolicy) that apply to a workload: those
 * in the root namespace and those in the workload's namespace whose selector is absent or
 * matches the workload's labels.
 */
export function policiesFor<S extends Selectable>(
  policies: readonly Resource<S>[],
  workload: { namespace: string; labels: Readonly<Record<string, string>> },
  rootNamespace = ROOT_NAMESPACE,
): Resource<S>[] {
  return policies.filter((p) => {
    const ns = p.metadata.namespace;
    if (ns !== rootNamespace && ns !== workload.namespace) return false;
    const selector = p.spec.selector?.matchLabels;
    // An empty selector selects nothing in Kubernetes, but Istio treats it as "no selector".
    return selector === undefined || Object.keys(selector).length === 0 || labelsMatch(selector, workload.labels);
  });
}

/** Stable order for "first one wins" choices: the caller's namespace, then the owner's, then the rest by name. */
export function byPrecedence<T extends Resource>(items: readonly T[], ...namespaces: string[]): T[] {
  const rank = (r: T) => {
    const i = namespaces.indexOf(r.metadata.namespace);
    return i < 0 ? namespaces.length : i;
  };
  return [...items].sort((a, b) => rank(a) - rank(b) || a.metadata.namespace.localeCompare(b.metadata.namespace) || a.metadata.name.localeCompare(b.metadata.name));
}
