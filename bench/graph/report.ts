// The graph bench's metric and target rows.
import { GRAPH_TYPES, type GraphType } from "@skein/shared";
import type { BenchMetric, BenchTarget } from "../types.ts";
import type { ApiCall } from "./api.ts";
import { median, type Breakdown } from "./breakdown.ts";
import type { RenderRun } from "./browser.ts";
import type { SeriesCount } from "./exposition.ts";
import type { RefreshOutcome } from "./refresh.ts";
import type { GraphMeshPlan } from "./synthetic-mesh.ts";

export const TARGETS = { apiMs: 1000, browserMs: 2000 };

export interface GraphRunSummary {
  plan: GraphMeshPlan;
  workloads: number;
  edges: number;
  series: SeriesCount;
  /** Samples the last scrape of every target brought in: sum(scrape_samples_scraped). */
  seriesInPrometheus: number;
  scrapeIntervalSeconds: number;
  /** Mean scrape_duration_seconds over the targets, and their count. */
  scrapeSeconds: number;
  targets: number;
  config: Record<string, number>;
  buildMs?: number;
  /** The measured build is older than its newest source by this much (0: up to date). */
  buildStaleSeconds: number;
  browserGraphType: GraphType;
  duration: string;
  api: ApiCall[];
  /** Workload nodes in each graph type's answer (the workload graph should hold every workload). */
  workloadNodes: Map<GraphType, number>;
  breakdown?: Breakdown;
  renders: RenderRun[];
  /** First visits with the P95 label: drawn, and when the p95 labels came (ms since navigation start). */
  p95Renders: (RenderRun & { labelsMs: number })[];
  /** Why the browser runs stopped early (a page not drawn in time). */
  browserFailure?: string;
  refresh?: RefreshOutcome & { waitMs: number; grownWorkloads: number; grownEdges: number };
  rss: { consoleAfterApi: number; consoleAfterBrowser: number; prometheus: number; generator: number };
  /** Cores used over the API phase: Prometheus, the console, and processes that are not the bench's. */
  cpu: { prometheus: number; console: number; others: number };
}

const MB = 1024 * 1024;

export function metricRows(s: GraphRunSummary): BenchMetric[] {
  const rows: BenchMetric[] = [
    { name: "synthetic mesh: workloads", value: s.workloads, unit: `${s.plan.namespaces} namespaces x ${s.plan.workloadsPerNamespace}` },
    { name: "synthetic mesh: workload-to-workload edges", value: s.edges, unit: "count" },
    { name: "series generated: istio_requests_total", value: s.series.requests, unit: "series" },
    { name: "series generated: istio_request_duration_milliseconds (buckets, sum, count)", value: s.series.duration, unit: "series" },
    { name: "series generated: istio_tcp_*", value: s.series.tcp, unit: "series" },
    { name: "series scraped by Prometheus (per scrape round)", value: s.seriesInPrometheus, unit: `series, ${s.targets} targets every ${s.scrapeIntervalSeconds} s` },
    { name: "scrape duration, mean per target", value: s.scrapeSeconds * 1000, unit: "ms" },
    { name: "Istio config in the control plane", value: Object.values(s.config).reduce((a, b) => a + b, 0), unit: Object.entries(s.config).map(([k, v]) => `${v} ${k}`).join(", ") },
  ];
  if (s.buildMs !== undefined) rows.push({ name: "console build (next build; not part of the result)", value: s.buildMs / 1000, unit: "s" });
  if (s.buildStaleSeconds > 0) rows.push({ name: "WARNING: console build older than its newest source by", value: s.buildStaleSeconds, unit: "s" });

  for (const type of GRAPH_TYPES) {
    const calls = s.api.filter((c) => c.graphType === type);
    if (calls.length === 0) continue;
    const cold = calls.find((c) => c.kind === "cold");
    const misses = calls.filter((c) => c.kind === "miss");
    const hits = calls.filter((c) => c.kind === "hit");
    const answered = misses[0] ?? cold;
    if (cold) rows.push({ name: `API ${type}: first call`, value: cold.ms, unit: "ms" });
    if (misses.length > 0) {
      rows.push({ name: `API ${type}: cache miss (no p95), median of ${misses.length}`, value: median(misses.map((c) => c.ms)), unit: "ms" });
      rows.push({ name: `API ${type}: cache miss, slowest`, value: Math.max(...misses.map((c) => c.ms)), unit: "ms" });
      const timed = misses.filter((c) => c.timings);
      if (timed.length > 0) {
        rows.push({ name: `API ${type}: route's Prometheus time (miss, median)`, value: median(timed.map((c) => c.timings!.prometheusMs)), unit: "ms" });
        rows.push({ name: `API ${type}: route's build + badges time (miss, median)`, value: median(timed.map((c) => c.timings!.buildMs)), unit: "ms" });
      }
    }
    const p95 = calls.filter((c) => c.kind === "p95");
    if (p95.length > 0) {
      rows.push({ name: `API ${type}: cache miss with p95 (responseTime=true), median of ${p95.length}`, value: median(p95.map((c) => c.ms)), unit: "ms" });
      const timed = p95.filter((c) => c.timings);
      if (timed.length > 0) rows.push({ name: `API ${type}: route's Prometheus time (miss with p95, median)`, value: median(timed.map((c) => c.timings!.prometheusMs)), unit: "ms" });
    }
    if (hits.length > 0) {
      rows.push({ name: `API ${type}: identical call right after, median of ${hits.length}`, value: median(hits.map((c) => c.ms)), unit: "ms" });
      rows.push({ name: `API ${type}: ... answered from the server cache`, value: hits.filter((c) => c.cache === "hit").length, unit: `of ${hits.length}` });
    }
    if (answered) {
      rows.push({ name: `API ${type}: graph size`, value: answered.nodes, unit: `nodes, ${answered.edges} edges, ${(answered.bytes / MB).toFixed(2)} MB JSON` });
    }
  }

  const b = s.breakdown;
  if (b) {
    for (const q of b.queries) rows.push({ name: `PromQL ${q.name} (alone, from the bench)`, value: q.ms, unit: `ms, ${q.series} series` });
    rows.push({ name: "PromQL all graph queries at once (from the bench)", value: b.parallelMs, unit: "ms" });
    rows.push({ name: "PromQL all but the two p95 queries at once (from the bench)", value: b.parallelWithoutLatencyMs, unit: "ms" });
    for (const type of GRAPH_TYPES) {
      const x = b.build[type];
      rows.push({ name: `buildGraph ${type} (in the bench process, median)`, value: x.ms, unit: `ms; JSON.stringify ${x.stringifyMs.toFixed(0)} ms` });
      rows.push({ name: `node badges ${type} (in the bench process)`, value: x.badgesMs, unit: `ms over ${b.resources} stored resources` });
    }
  }

  const r = s.renders;
  if (r.length > 0) {
    const g = s.browserGraphType;
    rows.push({ name: `browser ${g}: navigation -> graph drawn, first visit`, value: r[0]!.paintedMs, unit: "ms" });
    rows.push({ name: `browser ${g}: navigation -> graph drawn, median of ${r.length}`, value: median(r.map((x) => x.paintedMs)), unit: "ms" });
    rows.push({ name: `browser ${g}: navigation -> laid out (data-state="ready"), median`, value: median(r.map((x) => x.readyMs)), unit: "ms" });
    rows.push({ name: `browser ${g}: page's own render time (data-render-ms), median`, value: median(r.map((x) => x.renderMs)), unit: "ms" });
    const api = r.filter((x) => x.apiMs !== undefined);
    if (api.length > 0) {
      rows.push({ name: `browser ${g}: /api/graph request, median`, value: median(api.map((x) => x.apiMs!)), unit: `ms (cache: ${api.map((x) => x.apiCache ?? "?").join(", ")})` });
      rows.push({ name: `browser ${g}: /api/graph sent at, median`, value: median(api.map((x) => x.apiStartMs!)), unit: "ms after navigation start" });
    }
    rows.push({ name: `browser ${g}: DOMContentLoaded, median`, value: median(r.map((x) => x.domContentLoadedMs)), unit: "ms" });
    rows.push({ name: `browser ${g}: nodes and edges drawn`, value: r[0]!.nodes, unit: `nodes, ${r[0]!.edges} edges` });
    const p = s.p95Renders;
    if (p.length > 0) {
      rows.push({ name: `browser ${g} with the P95 label: navigation -> graph drawn, median of ${p.length}`, value: median(p.map((x) => x.paintedMs)), unit: "ms (before the response-time queries return)" });
      rows.push({ name: `browser ${g} with the P95 label: navigation -> p95 labels in, median`, value: median(p.map((x) => x.labelsMs)), unit: "ms" });
    }
    rows.push({ name: "browser JS heap after render", value: median(r.map((x) => x.heapUsedBytes)) / MB, unit: "MB" });
    rows.push({ name: "browser JS heap after render and a full GC", value: median(r.map((x) => x.heapAfterGcBytes)) / MB, unit: "MB" });
  }

  const f = s.refresh;
  if (f) {
    rows.push({ name: "refresh: mesh grew by", value: f.grownWorkloads, unit: `workloads, ${f.grownEdges} edges` });
    rows.push({ name: "refresh: metrics visible -> new nodes drawn", value: f.waitMs, unit: "ms" });
    rows.push({ name: "refresh: existing nodes compared", value: f.compared, unit: `nodes (${f.removed} gone)` });
    rows.push({ name: "refresh: existing nodes moved", value: f.moved, unit: `nodes (max ${f.maxDisplacementPx.toFixed(1)} px)` });
    rows.push({ name: "refresh: existing nodes moved on screen (pan/zoom)", value: f.movedOnScreen, unit: `nodes (max ${f.maxScreenDisplacementPx.toFixed(1)} px)` });
    rows.push({ name: "refresh: new nodes placed", value: f.newPlaced, unit: `of ${f.newExpected}; ${f.newOverlapping} on top of another node` });
    rows.push({ name: "refresh: new node to nearest neighbour, median", value: f.newNeighbourDistancePx, unit: `px (median edge ${f.medianEdgeLengthPx.toFixed(0)} px)` });
  }

  rows.push({ name: "console RSS after the API calls", value: s.rss.consoleAfterApi / MB, unit: "MB" });
  rows.push({ name: "console RSS after the browser runs", value: s.rss.consoleAfterBrowser / MB, unit: "MB" });
  rows.push({ name: "Prometheus RSS", value: s.rss.prometheus / MB, unit: "MB" });
  rows.push({ name: "metrics generator RSS", value: s.rss.generator / MB, unit: "MB" });
  rows.push({ name: "Prometheus CPU during the API calls", value: s.cpu.prometheus, unit: "cores (mean)" });
  rows.push({ name: "console CPU during the API calls", value: s.cpu.console, unit: "cores (mean)" });
  // A neighbour's build on this two-core machine: above ~0.3 cores, distrust the times.
  rows.push({ name: "noise, other processes' CPU during the API calls", value: s.cpu.others, unit: "cores (mean)" });
  return rows.filter((row) => Number.isFinite(row.value));
}

export function targetRows(s: GraphRunSummary): BenchTarget[] {
  const rows: BenchTarget[] = [];
  const workloadNodes = s.workloadNodes.get("workload");
  if (workloadNodes !== undefined) {
    rows.push({ name: `workload graph shows every synthetic workload (${s.workloads})`, measured: `${workloadNodes} workload nodes`, met: workloadNodes === s.workloads });
  }
  // The timed calls are only comparable if they built the same graph.
  const differing = GRAPH_TYPES.flatMap((type) => {
    const calls = s.api.filter((c) => c.graphType === type);
    const cold = calls.find((c) => c.kind === "cold");
    return cold ? calls.filter((c) => c.nodes !== cold.nodes || c.edges !== cold.edges) : [];
  });
  if (s.api.length > 0) rows.push({ name: "every API call of a graph type returns the same graph", measured: `${differing.length} of ${s.api.length} differ`, met: differing.length === 0 });
  for (const type of GRAPH_TYPES) {
    for (const [kind, asked] of [["miss", "rates (the page's default)"], ["p95", "with p95 (P95 label)"]] as const) {
      const misses = s.api.filter((c) => c.graphType === type && c.kind === kind);
      if (misses.length === 0) continue;
      const m = median(misses.map((c) => c.ms));
      const route = misses.filter((c) => c.timings).map((c) => c.timings!.prometheusMs);
      rows.push({
        name: `graph API ${type}, all namespaces, ${asked}, cache miss < ${TARGETS.apiMs / 1000} s`,
        measured: `median ${m.toFixed(0)} ms of ${misses.length}${route.length > 0 ? `, Prometheus ${median(route).toFixed(0)} ms of it` : ""}`,
        met: m < TARGETS.apiMs,
      });
    }
  }
  if (s.browserFailure) {
    rows.push({ name: `browser: navigation -> graph drawn < ${TARGETS.browserMs / 1000} s (${s.browserGraphType})`, measured: `${s.renders.length} drawn, then ${s.browserFailure}`, met: false });
  } else if (s.renders.length > 0) {
    const m = median(s.renders.map((r) => r.paintedMs));
    rows.push({
      name: `browser: navigation -> graph drawn < ${TARGETS.browserMs / 1000} s (${s.browserGraphType})`,
      measured: `median ${m.toFixed(0)} ms of ${s.renders.length} (first ${s.renders[0]!.paintedMs.toFixed(0)} ms, render ${median(s.renders.map((r) => r.renderMs)).toFixed(0)} ms)`,
      met: m < TARGETS.browserMs,
    });
  }
  if (s.p95Renders.length > 0) {
    const m = median(s.p95Renders.map((r) => r.paintedMs));
    rows.push({
      name: `browser with the P95 label: navigation -> graph drawn < ${TARGETS.browserMs / 1000} s (${s.browserGraphType})`,
      measured: `median ${m.toFixed(0)} ms of ${s.p95Renders.length}; p95 labels in at ${median(s.p95Renders.map((r) => r.labelsMs)).toFixed(0)} ms`,
      met: m < TARGETS.browserMs,
    });
  }
  const f = s.refresh;
  if (f) {
    rows.push({ name: "refresh moves no existing node", measured: `${f.moved} of ${f.compared} moved (max ${f.maxDisplacementPx.toFixed(1)} px)`, met: f.compared > 0 && f.moved === 0 });
    rows.push({ name: "refresh keeps the view (no node moves on screen)", measured: `${f.movedOnScreen} moved on screen (max ${f.maxScreenDisplacementPx.toFixed(1)} px)`, met: f.compared > 0 && f.movedOnScreen === 0 });
    const beside = f.newNeighbourDistancePx <= 2 * f.medianEdgeLengthPx;
    rows.push({
      name: "refresh places every new node beside its neighbours",
      measured: `${f.newPlaced} of ${f.newExpected} placed, ${f.newOverlapping} overlapping, nearest neighbour ${f.newNeighbourDistancePx.toFixed(0)} px (median edge ${f.medianEdgeLengthPx.toFixed(0)} px)`,
      met: f.newPlaced === f.newExpected && f.newOverlapping === 0 && beside,
    });
  }
  return rows;
}
