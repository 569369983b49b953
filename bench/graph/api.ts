// GET /api/graph timed from outside, per graph type: the first call after start-up, calls
// that miss the server's few-second cache (each names its own `queryTime`, which is part
// of the cache key) and identical calls right after one (which should hit it), all as the
// page asks with its default edge labels (responseTime=false: no p95 histogram queries);
// then misses with p95 response times, as the page asks with the P95 label. The route's
// own split (meta.timings: Prometheus, builder, total) is kept beside each time.
import { GRAPH_TYPES, type GraphType } from "@skein/shared";

export interface ApiCall {
  graphType: GraphType;
  /** `p95`: a cache miss with responseTime=true; the others ask without it. */
  kind: "cold" | "miss" | "hit" | "p95";
  /** Wall time from sending the request to the last byte of the answer, ms. */
  ms: number;
  status: number;
  bytes: number;
  /** x-skein-cache as the console answered it. */
  cache: string;
  nodes: number;
  edges: number;
  timings?: { prometheusMs: number; buildMs: number; totalMs: number };
  warnings: string[];
}

interface GraphAnswer {
  graph?: { nodes?: { type?: string; id?: string }[]; edges?: unknown[] };
  meta?: { timings?: ApiCall["timings"]; warnings?: string[] };
  error?: { message?: string };
}

export function graphApiPath(o: { namespaces: readonly string[]; graphType: GraphType; duration: string; responseTime: boolean; queryTime?: number }): string {
  const q = new URLSearchParams({ namespaces: o.namespaces.join(","), graphType: o.graphType, duration: o.duration, responseTime: String(o.responseTime) });
  if (o.queryTime !== undefined) q.set("queryTime", String(o.queryTime));
  return `/api/graph?${q}`;
}

export async function callGraphApi(consoleUrl: string, path: string, graphType: GraphType, kind: ApiCall["kind"]): Promise<ApiCall & { body: GraphAnswer }> {
  const started = performance.now();
  const res = await fetch(consoleUrl + path, { signal: AbortSignal.timeout(120_000) });
  const text = await res.text();
  const ms = performance.now() - started;
  const body = JSON.parse(text) as GraphAnswer;
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${body.error?.message ?? text.slice(0, 300)}`);
  return {
    graphType,
    kind,
    ms,
    status: res.status,
    bytes: text.length,
    cache: res.headers.get("x-skein-cache") ?? "",
    nodes: body.graph?.nodes?.length ?? 0,
    edges: body.graph?.edges?.length ?? 0,
    ...(body.meta?.timings ? { timings: body.meta.timings } : {}),
    warnings: body.meta?.warnings ?? [],
    body,
  };
}

export interface ApiPlan {
  namespaces: readonly string[];
  duration: string;
  /** Cache-missing calls per graph type after the cold one. */
  misses: number;
  /** Identical calls right after a miss. */
  hits: number;
  /** Stops starting new calls after this long (the calls already made are reported). */
  budgetMs: number;
}

/**
 * The calls, graph type after graph type. The first graph type's cold call is the
 * console's first graph ever (code loading, JIT, connection set-up); later types' first
 * calls are cold only for their own cache entry.
 */
export async function measureGraphApi(consoleUrl: string, plan: ApiPlan, log: (line: string) => void): Promise<{ calls: ApiCall[]; workloadNodes: Map<GraphType, number> }> {
  const calls: ApiCall[] = [];
  const workloadNodes = new Map<GraphType, number>();
  const deadline = Date.now() + plan.budgetMs;
  // Each miss is evaluated at the current second, never an earlier one (the window would
  // reach back before the first scrapes), and at a second no call has used: a new cache key.
  let lastQueryTime = 0;
  const nextQueryTime = async () => {
    let t = Math.floor(Date.now() / 1000);
    if (t <= lastQueryTime) {
      await new Promise((r) => setTimeout(r, (lastQueryTime + 1) * 1000 - Date.now() + 5));
      t = lastQueryTime + 1;
    }
    lastQueryTime = t;
    return t;
  };
  for (const graphType of GRAPH_TYPES) {
    if (Date.now() > deadline) break;
    const cold = await callGraphApi(consoleUrl, graphApiPath({ ...plan, graphType, responseTime: false }), graphType, "cold");
    const sameGraph = (c: ApiCall) => c.nodes === cold.nodes && c.edges === cold.edges;
    workloadNodes.set(graphType, (cold.body.graph?.nodes ?? []).filter((n) => n.type === "workload").length);
    calls.push(strip(cold));
    log(line(cold));
    for (let i = 0; i < plan.misses && Date.now() < deadline; i++) {
      const path = graphApiPath({ ...plan, graphType, responseTime: false, queryTime: await nextQueryTime() });
      const miss = await callGraphApi(consoleUrl, path, graphType, "miss");
      calls.push(strip(miss));
      log(line(miss));
      if (!sameGraph(miss)) log(`warning: this graph differs from the first call's (${cold.nodes} nodes, ${cold.edges} edges)`);
      if (i === plan.misses - 1) {
        for (let j = 0; j < plan.hits; j++) {
          const hit = await callGraphApi(consoleUrl, path, graphType, "hit");
          calls.push(strip(hit));
          if (j === 0 || j === plan.hits - 1) log(line(hit));
        }
      }
    }
    for (let i = 0; i < plan.misses && Date.now() < deadline; i++) {
      const p95 = await callGraphApi(consoleUrl, graphApiPath({ ...plan, graphType, responseTime: true, queryTime: await nextQueryTime() }), graphType, "p95");
      calls.push(strip(p95));
      log(line(p95));
      if (!sameGraph(p95)) log(`warning: this graph differs from the first call's (${cold.nodes} nodes, ${cold.edges} edges)`);
    }
  }
  return { calls, workloadNodes };
}

function strip(c: ApiCall & { body: GraphAnswer }): ApiCall {
  const { body: _body, ...call } = c;
  return call;
}

function line(c: ApiCall): string {
  const t = c.timings ? ` (route: prometheus ${c.timings.prometheusMs.toFixed(0)} ms, build ${c.timings.buildMs.toFixed(0)} ms, total ${c.timings.totalMs.toFixed(0)} ms)` : "";
  return `GET /api/graph ${c.graphType.padEnd(12)} ${c.kind.padEnd(4)} ${c.ms.toFixed(0).padStart(6)} ms  x-skein-cache ${c.cache || "-"}  ${c.nodes} nodes, ${c.edges} edges, ${(c.bytes / 1024).toFixed(0)} KiB${t}`;
}
