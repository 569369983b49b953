import "server-only";
import type { ProxyStatus, Resource, StoredResource, Workload } from "@skein/shared/browser";
import { controlPlaneJson } from "../control-plane";
import type { MeshState } from "./mesh-compiler";

/** The trust domain the mesh's CA signs for, read off a sidecar's SPIFFE ID; Istio's default otherwise. */
export function trustDomainOf(proxies: readonly ProxyStatus[]): string {
  for (const p of proxies) {
    const m = p.identity ? /^spiffe:\/\/([^/]+)\//.exec(p.identity) : null;
    if (m) return m[1]!;
  }
  return "cluster.local";
}

/** What the control plane compiles sidecar config from, read through its API. */
export async function fetchMeshState(): Promise<{ mesh: MeshState; proxies: ProxyStatus[] }> {
  const [resources, workloads, proxies] = await Promise.all([
    controlPlaneJson<{ items: StoredResource[] }>("/api/v1/resources"),
    controlPlaneJson<{ items: Workload[] }>("/api/v1/workloads"),
    controlPlaneJson<{ items: ProxyStatus[] }>("/api/v1/proxies"),
  ]);
  // Stored resources passed validation on the way in: they are what the compiler reads.
  const mesh: MeshState = { resources: resources.items as Resource[], workloads: workloads.items, trustDomain: trustDomainOf(proxies.items) };
  return { mesh, proxies: proxies.items };
}
