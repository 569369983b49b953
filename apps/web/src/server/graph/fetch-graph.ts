import "server-only";
import { addGraphBadges, buildGraph, graphQueries, type GraphQueryResult } from "@skein/shared";
import type { GraphResponse } from "@/client/graph/api-types";
import { ApiError } from "../http";
import { promQuery } from "../prometheus";
import { settings } from "../settings";
import { graphCacheKey, type GraphRequest } from "./graph-request";
import { meshState } from "./mesh-state";
import { ResponseCache } from "./response-cache";

// Kept on globalThis: Next's dev server re-evaluates modules, and the cache should survive.
const holder = globalThis as unknown as { skeinGraphCache?: ResponseCache<GraphResponse> };
const GRAPH_TTL_MS = 5000;

/** The graph for a request, from the server cache when an identical one ran in the last few seconds. */
export async function graphFor(req: GraphRequest): Promise<GraphResponse> {
  holder.skeinGraphCache ??= new ResponseCache<GraphResponse>(GRAPH_TTL_MS, 64);
  const { value, hit } = await holder.skeinGraphCache.get(graphCacheKey(req), () => computeGraph(req));
  return hit ? { ...value, meta: { ...value.meta, cached: true } } : value;
}

async function computeGraph(req: GraphRequest): Promise<GraphResponse> {
  const started = performance.now();
  // One evaluation time for every query, so the halves of the graph describe the same instant.
  const queryTime = req.queryTime ?? Math.floor(Date.now() / 1000);
  const queries = graphQueries({ namespaces: req.namespaces, window: req.window, includeIdleEdges: req.includeIdleEdges, responseTime: req.responseTime });
  const warnings: string[] = [];
  const mesh = meshState().catch((e: Error) => {
    warnings.push(`badges left out: ${e.message}`);
    return undefined;
  });
  let results: GraphQueryResult[];
  try {
    results = await Promise.all(queries.map(async (q) => ({ metric: q.metric, result: await promQuery(q.query, queryTime) })));
  } catch (e) {
    if (e instanceof ApiError && e.code === "PrometheusUnavailable") {
      throw new ApiError(502, e.code, `${e.message}. Start Prometheus there, or point the console at yours with PROMETHEUS_URL (now ${settings().prometheusUrl}).`, { prometheusUrl: settings().prometheusUrl });
    }
    throw e;
  }
  const prometheusMs = performance.now() - started;
  const buildStarted = performance.now();
  const graph = buildGraph(results, { graphType: req.graphType, namespaces: req.namespaces, window: req.window, includeIdleEdges: req.includeIdleEdges });
  const state = await mesh;
  if (state) addGraphBadges(graph, state.resources, state.workloads, state.proxies);
  const buildMs = performance.now() - buildStarted;
  return {
    graph,
    meta: {
      namespaces: req.namespaces,
      graphType: req.graphType,
      duration: req.window,
      idleEdges: req.includeIdleEdges,
      queryTime,
      timings: { prometheusMs: round(prometheusMs), buildMs: round(buildMs), totalMs: round(performance.now() - started) },
      cached: false,
      warnings,
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
