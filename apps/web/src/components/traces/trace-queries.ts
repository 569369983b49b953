import type { JaegerTrace } from "@skein/shared/browser";
import { apiGet } from "@/client/api";
import { traceKeys } from "@/client/query-keys";
import { apiPathFor, type TraceSearch } from "./trace-search";

/** Jaeger's envelope: `{data, errors}`. */
interface JaegerResponse<T> {
  data: T;
}

export function traceSearchQuery(search: TraceSearch) {
  return {
    queryKey: traceKeys.search({ service: search.service, operation: search.operation, minDuration: search.minDuration, errorsOnly: String(search.errorsOnly), lookback: search.lookback, limit: String(search.limit) }),
    queryFn: async () => (await apiGet<JaegerResponse<JaegerTrace[]>>(apiPathFor(search))).data ?? [],
  };
}

export function traceQuery(traceId: string) {
  return {
    queryKey: traceKeys.trace(traceId),
    queryFn: async () => {
      const traces = (await apiGet<JaegerResponse<JaegerTrace[]>>(`/api/cp/api/traces/${encodeURIComponent(traceId)}`)).data ?? [];
      return traces[0];
    },
    // A finished trace does not change; spans that arrive late show on a reload.
    staleTime: 60_000,
  };
}

export const traceServicesQuery = {
  queryKey: traceKeys.services(),
  queryFn: async () => (await apiGet<JaegerResponse<string[]>>("/api/cp/api/services")).data ?? [],
  staleTime: 30_000,
};

export function operationsQuery(service: string) {
  return {
    queryKey: traceKeys.operations(service),
    queryFn: async () => (await apiGet<JaegerResponse<string[]>>(`/api/cp/api/services/${encodeURIComponent(service)}/operations`)).data ?? [],
    staleTime: 30_000,
    enabled: service !== "",
  };
}
