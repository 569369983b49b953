import { apiGet } from "@/client/api";
import { overviewKeys } from "@/client/query-keys";
import type { OverviewResponse } from "@/server/overview/summarize";

/** Namespaces, health by app/workload/service, for the overview and the services and workloads lists. */
export function overviewQuery(duration = "5m") {
  return {
    queryKey: overviewKeys.namespaces(duration),
    queryFn: ({ signal }: { signal?: AbortSignal }) => apiGet<OverviewResponse>(`/api/overview?duration=${encodeURIComponent(duration)}`, signal),
    refetchInterval: 15_000,
    staleTime: 5_000,
  };
}
