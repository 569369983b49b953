import "server-only";
import type { ProxyStatus, Resource, StoredResource, Workload } from "@skein/shared/browser";
import { validateStored } from "../config/stored-validation";
import { controlPlaneJson } from "../control-plane";
import { ApiError } from "../http";
import { promQuery } from "../prometheus";
import { healthIndex, healthQueries, type HealthIndex } from "./health";
import { summarizeNamespaces, type OverviewResponse } from "./summarize";

export const OVERVIEW_WINDOWS = ["1m", "5m", "10m", "30m", "1h"] as const;

/** Reads the registry, sidecar status and config from the control plane, and health from Prometheus. */
export async function fetchOverview(duration: string): Promise<OverviewResponse> {
  if (!(OVERVIEW_WINDOWS as readonly string[]).includes(duration)) throw new ApiError(400, "BadRequest", `duration: one of ${OVERVIEW_WINDOWS.join(", ")}`);
  const q = healthQueries(duration);
  const warnings: string[] = [];
  const healthRead: Promise<HealthIndex | undefined> = Promise.all([promQuery(q.inbound), promQuery(q.outbound)]).then(
    ([inbound, outbound]) => healthIndex(inbound, outbound),
    (e: Error) => {
      warnings.push(`health is left out: ${e.message}`);
      return undefined;
    },
  );
  const [resources, workloads, proxies, health] = await Promise.all([
    controlPlaneJson<{ items: StoredResource[] }>("/api/v1/resources"),
    controlPlaneJson<{ items: Workload[] }>("/api/v1/workloads"),
    controlPlaneJson<{ items: ProxyStatus[] }>("/api/v1/proxies"),
    healthRead,
  ]);
  const namespaces = summarizeNamespaces({
    workloads: workloads.items,
    proxies: proxies.items,
    resources: resources.items as Resource[],
    validation: validateStored(resources.items, workloads.items),
    health,
  });
  return { duration, namespaces, health: health ?? null, warnings };
}
