/**
 * Services as the control plane's registry forms them from registered workloads (the
 * shared registryFromWorkloads, so the console and the compiler agree on what a service
 * is), and a service's versions by the `version` label of its workloads.
 */
import { registryFromWorkloads, type RegistryPort, type Workload } from "@skein/shared/browser";

export interface ServiceEntry {
  namespace: string;
  name: string;
  host: string;
  ports: RegistryPort[];
  selector: Record<string, string>;
  workloads: Workload[];
}

export interface ServiceVersion {
  /** The `version` label, or "" for workloads without one. */
  version: string;
  workloads: Workload[];
}

export function servicesOf(workloads: readonly Workload[]): ServiceEntry[] {
  const byKey = new Map(workloads.map((w) => [`${w.namespace}/${w.name}`, w]));
  return registryFromWorkloads(workloads).services.map((s) => ({
    namespace: s.namespace,
    name: s.name,
    host: s.host,
    ports: s.ports,
    selector: s.selector ?? {},
    workloads: s.endpoints.flatMap((e) => {
      const w = byKey.get(`${e.namespace}/${e.workload}`);
      return w ? [w] : [];
    }),
  }));
}

export function versionsOf(service: Pick<ServiceEntry, "workloads">): ServiceVersion[] {
  const out = new Map<string, Workload[]>();
  for (const w of service.workloads) {
    const v = w.labels.version ?? "";
    const list = out.get(v);
    if (list) list.push(w);
    else out.set(v, [w]);
  }
  return [...out].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true })).map(([version, ws]) => ({ version, workloads: ws }));
}
