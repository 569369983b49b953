import "server-only";
import type { ProxyStatus, StoredResource, Workload } from "@skein/shared";
import { controlPlaneJson } from "../control-plane";
import { ResponseCache } from "./response-cache";

/** What the graph's badges and the applied-config list read from the control plane. */
export interface MeshState {
  resources: StoredResource[];
  workloads: Workload[];
  proxies: ProxyStatus[];
}

const holder = globalThis as unknown as { skeinMeshState?: ResponseCache<MeshState> };

/**
 * Config, registry and proxies, read together and shared for a few seconds by every graph
 * and side-panel request (a graph refresh and a panel opening at once cost one read).
 */
export async function meshState(): Promise<MeshState> {
  holder.skeinMeshState ??= new ResponseCache<MeshState>(3000, 1);
  const { value } = await holder.skeinMeshState.get("mesh", async () => {
    const [resources, workloads, proxies] = await Promise.all([
      controlPlaneJson<{ items: StoredResource[] }>("/api/v1/resources"),
      controlPlaneJson<{ items: Workload[] }>("/api/v1/workloads"),
      controlPlaneJson<{ items: ProxyStatus[] }>("/api/v1/proxies"),
    ]);
    return { resources: resources.items, workloads: workloads.items, proxies: proxies.items };
  });
  return value;
}
