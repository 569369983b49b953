import { queryOptions } from "@tanstack/react-query";
import type { ProxyStatus } from "@skein/shared/browser";
import { apiGet } from "@/client/api";
import { meshKeys } from "@/client/query-keys";

/** Every sidecar's config state (sent, ACKed, last NACK) and identity, from the control plane. */
export const proxiesQuery = () =>
  queryOptions({
    queryKey: meshKeys.proxies(),
    queryFn: ({ signal }) => apiGet<{ items: ProxyStatus[] }>("/api/cp/api/v1/proxies", signal).then((r) => r.items),
    refetchInterval: 10_000,
    staleTime: 5_000,
  });

/** The status of a workload's sidecar, if one has reported. */
export function proxyOf(proxies: readonly ProxyStatus[] | undefined, namespace: string, workload: string): ProxyStatus | undefined {
  return proxies?.find((p) => p.namespace === namespace && p.workload === workload);
}

export const DETAIL_WINDOWS = ["5m", "10m", "30m", "1h", "3h"] as const;
