// Where a graph request's time can go, measured outside the console: the graph's PromQL
// (graphQueries) run against the bench's Prometheus one at a time and all at once, and
// buildGraph over their results per graph type, then the node badges over the control
// plane's config, as the route computes them, in this process. Set beside the API's own
// time, the difference is the route's own overhead (control plane calls, JSON, HTTP).
import {
  addGraphBadges,
  buildGraph,
  graphQueries,
  GRAPH_TYPES,
  type GraphQueryResult,
  type GraphType,
  type PromSample,
  type ProxyStatus,
  type StoredResource,
  type Workload,
} from "@skein/shared";

export interface QueryTiming {
  name: string;
  ms: number;
  series: number;
  /** Bytes of Prometheus's JSON answer. */
  bytes: number;
}

export interface Breakdown {
  /** Each query alone, in turn. */
  queries: QueryTiming[];
  /** All queries at once, as a route would send them: the slowest bounds the wait. */
  parallelMs: number;
  /** All but the two p95 (histogram) queries at once: what a graph without latency would wait for. */
  parallelWithoutLatencyMs: number;
  /** buildGraph over the results, per graph type (median of a few runs, after one warm-up). */
  build: Record<GraphType, { ms: number; nodes: number; edges: number; jsonBytes: number; stringifyMs: number; badgesMs: number }>;
  /** Stored resources the badges were judged against. */
  resources: number;
}

async function query(prometheusUrl: string, promql: string, time: number): Promise<{ result: PromSample[]; bytes: number }> {
  const res = await fetch(`${prometheusUrl}/api/v1/query`, { method: "POST", body: new URLSearchParams({ query: promql, time: String(time) }), signal: AbortSignal.timeout(60_000) });
  const text = await res.text();
  const body = JSON.parse(text) as { status: string; data?: { result: PromSample[] }; error?: string };
  if (body.status !== "success" || !body.data) throw new Error(`Prometheus: ${body.error ?? res.status} for ${promql.slice(0, 200)}`);
  return { result: body.data.result, bytes: text.length };
}

export async function measureBreakdown(prometheusUrl: string, controlPlaneUrl: string, namespaces: string[], window: string, buildRuns = 3): Promise<Breakdown> {
  const mesh = await meshState(controlPlaneUrl);
  const planned = graphQueries({ namespaces, window, includeIdleEdges: false, responseTime: true });
  const time = Date.now() / 1000;
  const queries: QueryTiming[] = [];
  const results: GraphQueryResult[] = [];
  for (const q of planned) {
    const started = performance.now();
    const { result, bytes } = await query(prometheusUrl, q.query, time);
    queries.push({ name: q.name, ms: performance.now() - started, series: result.length, bytes });
    results.push({ metric: q.metric, result });
  }
  const atOnce = async (qs: typeof planned) => {
    const started = performance.now();
    await Promise.all(qs.map((q) => query(prometheusUrl, q.query, time)));
    return performance.now() - started;
  };
  const parallelMs = await atOnce(planned);
  const parallelWithoutLatencyMs = await atOnce(planned.filter((q) => q.metric !== "latency"));

  const build = {} as Breakdown["build"];
  for (const graphType of GRAPH_TYPES) {
    const options = { graphType, namespaces, window, includeIdleEdges: false };
    buildGraph(results, options);
    const samples: number[] = [];
    let graph = buildGraph(results, options);
    for (let i = 0; i < buildRuns; i++) {
      const started = performance.now();
      graph = buildGraph(results, options);
      samples.push(performance.now() - started);
    }
    const badgesStart = performance.now();
    addGraphBadges(graph, mesh.resources, mesh.workloads, mesh.proxies);
    const badgesMs = performance.now() - badgesStart;
    const stringifyStart = performance.now();
    const json = JSON.stringify(graph);
    const stringifyMs = performance.now() - stringifyStart;
    build[graphType] = { ms: median(samples), nodes: graph.nodes.length, edges: graph.edges.length, jsonBytes: json.length, stringifyMs, badgesMs };
  }
  return { queries, parallelMs, parallelWithoutLatencyMs, build, resources: mesh.resources.length };
}

interface MeshState {
  resources: StoredResource[];
  workloads: Workload[];
  proxies: ProxyStatus[];
}

async function meshState(controlPlaneUrl: string): Promise<MeshState> {
  const get = async <T>(path: string) => ((await (await fetch(controlPlaneUrl + path, { signal: AbortSignal.timeout(30_000) })).json()) as { items: T[] }).items;
  const [resources, workloads, proxies] = await Promise.all([get<StoredResource>("/api/v1/resources"), get<Workload>("/api/v1/workloads"), get<ProxyStatus>("/api/v1/proxies")]);
  return { resources, workloads, proxies };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
