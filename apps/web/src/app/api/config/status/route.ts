import type { StoredResource, Workload } from "@skein/shared";
import { requireViewer } from "@/server/auth";
import { controlPlaneJson } from "@/server/control-plane";
import { validateStored } from "@/server/config/stored-validation";
import { handle } from "@/server/http";

/**
 * Every stored Istio resource with its validation (the config list's badges): the shared
 * validator over all of them together, with the registered workloads as context.
 */
export async function GET() {
  return handle(async () => {
    await requireViewer();
    const [resources, workloads] = await Promise.all([
      controlPlaneJson<{ items: StoredResource[] }>("/api/v1/resources"),
      controlPlaneJson<{ items: Workload[] }>("/api/v1/workloads"),
    ]);
    const validation = validateStored(resources.items, workloads.items);
    return { items: resources.items.map((resource, i) => ({ resource, validation: validation[i]! })) };
  });
}
