import type { Workload } from "../api/control-plane.ts";
import { loadDocument, type LoadedResource } from "./load.ts";

/**
 * Registered workloads as Kubernetes would show them, for the validator's cross-resource
 * checks (a subset whose labels select no pod, a host no Service answers for): one
 * Deployment per workload, and one Service per service name in a namespace whose selector
 * is the labels all its workloads share (usually `app`) and whose ports are the union of
 * theirs.
 */
export function registryKubernetesObjects(workloads: readonly Workload[]): Record<string, unknown>[] {
  const sorted = [...workloads].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const out: Record<string, unknown>[] = [];
  const services = new Map<string, Workload[]>();
  for (const w of sorted) {
    out.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: w.name, namespace: w.namespace, labels: w.labels },
      spec: { selector: { matchLabels: w.labels }, template: { metadata: { labels: w.labels }, spec: { serviceAccountName: w.serviceAccount } } },
    });
    if (!w.service) continue;
    const key = `${w.namespace}/${w.service.name}`;
    const members = services.get(key);
    if (members) members.push(w);
    else services.set(key, [w]);
  }
  for (const [, members] of [...services].sort(([a], [b]) => a.localeCompare(b))) {
    const first = members[0]!;
    const ports = new Map<number, { name: string; port: number; targetPort?: number }>();
    for (const w of members) {
      for (const p of w.service!.ports) {
        if (!ports.has(p.port)) ports.set(p.port, { name: p.name, port: p.port, ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}) });
      }
    }
    out.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: first.service!.name, namespace: first.namespace },
      spec: { selector: sharedLabels(members), ports: [...ports.values()].sort((a, b) => a.port - b.port) },
    });
  }
  return out;
}

/** registryKubernetesObjects() in the form `validateSources({ context })` takes. */
export function registryValidationContext(workloads: readonly Workload[]): LoadedResource[] {
  return registryKubernetesObjects(workloads).flatMap((value, index) => {
    const position = { line: 1, column: 1 };
    const { loaded } = loadDocument({ file: "(registry)", index, position, value, locate: () => position }, { defaultNamespace: "default" });
    return loaded ? [loaded] : [];
  });
}

function sharedLabels(members: readonly Workload[]): Record<string, string> {
  const [first, ...rest] = members;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first!.labels)) if (rest.every((w) => w.labels[k] === v)) out[k] = v;
  return out;
}
