import type { LoadedResource } from "../load.ts";
import { selects, type Labels } from "./labels.ts";

/** A workload of the input: the pods of a Deployment (etc.), a Pod, or a WorkloadEntry. */
export interface Workload {
  kind: string;
  name: string;
  namespace: string;
  labels: Labels;
  serviceAccount: string;
  loaded: LoadedResource;
}

/** "Deployment default/reviews-v1", as messages name a workload. */
export function workloadLabel(w: Workload): string {
  return `${w.kind} ${w.namespace}/${w.name}`;
}

/** Any namespace, for selectors of policies in the root namespace. */
export const ALL_NAMESPACES = "*";

/**
 * Workloads filed by namespace and by each label pair, so that a selector is answered by
 * filtering its rarest pair's list instead of scanning every workload.
 */
export class WorkloadIndex {
  private readonly byNamespace = new Map<string, Workload[]>();
  private readonly byPair = new Map<string, Workload[]>();

  constructor(readonly all: readonly Workload[]) {
    for (const w of all) {
      file(this.byNamespace, w.namespace, w);
      file(this.byNamespace, ALL_NAMESPACES, w);
      for (const k in w.labels) {
        const pair = `${k}=${w.labels[k]}`;
        file(this.byPair, `${w.namespace}\0${pair}`, w);
        file(this.byPair, `${ALL_NAMESPACES}\0${pair}`, w);
      }
    }
  }

  /** Workloads of `namespace` (or of any, with ALL_NAMESPACES) that `selector` selects. */
  matching(selector: Labels, namespace: string): readonly Workload[] {
    let smallest: readonly Workload[] | undefined;
    for (const k in selector) {
      const list = this.byPair.get(`${namespace}\0${k}=${selector[k]}`);
      if (!list) return [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    if (!smallest) return this.byNamespace.get(namespace) ?? [];
    return smallest.filter((w) => selects(selector, w.labels));
  }
}

function file(map: Map<string, Workload[]>, key: string, w: Workload): void {
  const list = map.get(key);
  if (list) list.push(w);
  else map.set(key, [w]);
}
