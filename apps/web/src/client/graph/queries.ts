"use client";
import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import type { JaegerTrace } from "@skein/shared/browser";
import { apiGet } from "../api";
import { meshKeys, traceKeys } from "../query-keys";
import type { AppliedConfigResponse, GraphResponse, MetricsResponse } from "./api-types";
import type { Params, TraceQuery } from "./selection";
import { graphApiPath, type GraphQueryParams } from "./url-state";

/**
 * The graph, polled at the refresh interval. The previous graph stays on screen while the
 * next loads, so a parameter change updates the canvas in place instead of blanking it.
 */
export function graphQuery(p: GraphQueryParams, refreshMs: number) {
  const path = graphApiPath(p);
  return queryOptions({
    queryKey: meshKeys.graph({ path }),
    // No custom headers: the server preloads this path (app/page.tsx), and Chromium hands
    // the preloaded response only to a request that matches it.
    queryFn: ({ signal }) => apiGet<GraphResponse>(path, signal, false),
    enabled: p.namespaces.length > 0,
    refetchInterval: refreshMs > 0 ? refreshMs : false,
    placeholderData: keepPreviousData,
    staleTime: 2_000,
    retry: false,
  });
}

export function metricsQuery(params: Params, refreshMs: number) {
  return queryOptions({
    queryKey: meshKeys.metrics(params),
    queryFn: ({ signal }) => apiGet<MetricsResponse>(`/api/metrics?${new URLSearchParams(params)}`, signal),
    refetchInterval: refreshMs > 0 ? Math.max(refreshMs, 10_000) : false,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function nodeConfigQuery(params: Params) {
  return queryOptions({
    queryKey: meshKeys.nodeConfig(params),
    queryFn: ({ signal }) => apiGet<AppliedConfigResponse>(`/api/graph/config?${new URLSearchParams(params)}`, signal),
    staleTime: 10_000,
  });
}

/** Jaeger search through the console's relay to the control plane's trace API. */
export function traceSearchQuery(q: TraceQuery, lookback: string, limit: number, errorsOnly: boolean) {
  const tags = errorsOnly ? { ...q.tags, error: "true" } : q.tags;
  const params = { service: q.service, tags: JSON.stringify(tags), lookback, limit: String(limit) };
  return queryOptions({
    queryKey: traceKeys.search(params),
    queryFn: ({ signal }) => apiGet<{ data: JaegerTrace[] }>(`/api/cp/api/traces?${new URLSearchParams(params)}`, signal).then((r) => r.data),
    staleTime: 10_000,
  });
}
