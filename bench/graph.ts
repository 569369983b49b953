// `npm run bench -- graph`: the console's service graph at 1,000 workloads and 3,000
// edges. A generator serves Istio's standard metrics for a synthetic mesh (graph/*), a
// real Prometheus scrapes it every 5 s, a real control plane holds routing config for some
// of its services, and the console's production build serves GET /api/graph and the graph
// page. Measures the API (first call, cache misses, cache hits, per graph type), where
// its time goes (the same PromQL and buildGraph run from here), the browser's time from
// navigation to the drawn graph, and whether a refresh that brings new nodes moves any
// node already drawn. Flags: --api-misses=N, --api-hits=N, --browser-runs=N,
// --graph-type=T (the page's graph type), --build (run `next build` first, timed apart),
// --api-only (no browser), --profile (CPU profiles of the console during the API calls and
// of one more first visit in the page, summarised; the files are kept).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "@playwright/test";
import { GRAPH_TYPES, type GraphType } from "@skein/shared";
import { ensurePrometheus, startPrometheus, type RunningPrometheus } from "../apps/mesh/src/runner/prometheus.ts";
import { startControlPlane, type RunningControlPlane } from "./convergence/control-plane.ts";
import { cpuSeconds, machineBusySeconds, rssBytes, waitForQuietMachine } from "./proxy/processes.ts";
import { formatProfileSummary, summarizeProfile, type ProfileSummary } from "./proxy/cpuprofile.ts";
import type { BenchCase, BenchMetric } from "./types.ts";
import { measureGraphApi } from "./graph/api.ts";
import { measureBreakdown } from "./graph/breakdown.ts";
import { firstRender, launchBrowser, p95LabelsAt, type RenderRun } from "./graph/browser.ts";
import { ensureConsoleBuild, removeSnapshot, snapshotBuild, startConsole, type RunningConsole } from "./graph/console.ts";
import { MetricsGenerator } from "./graph/generator.ts";
import { meshConfig } from "./graph/mesh-config.ts";
import { graphPageUrl, measureRefresh } from "./graph/page.ts";
import { inclusiveByMethod } from "./graph/page-profile.ts";
import { metricRows, targetRows, type GraphRunSummary } from "./graph/report.ts";
import type { GraphMeshPlan } from "./graph/synthetic-mesh.ts";

const PLAN: GraphMeshPlan = { namespaces: 10, workloadsPerNamespace: 100, edges: 3000, seed: 5 };
const SCRAPE_INTERVAL_SECONDS = 5;
/** The graph's window: the shortest the console offers, so rates exist after a few scrapes. */
const DURATION = "1m";
/** A first visit not drawn by then counts as failed (and ends the browser runs). */
const RENDER_TIMEOUT_MS = 120_000;
/** How long the console serves a graph from its cache (apps/web/src/server/graph/fetch-graph.ts). */
const SERVER_GRAPH_CACHE_MS = 5000;
/** First visits with the P95 label, after the default view's. */
const P95_RUNS = 2;
/** New apps (one workload each, two edges) between the first render and the refresh. */
const GROWTH = 10;

const flag = (name: string, fallback: number, max: number) => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return n;
};

const log = (line: string) => console.log(`  ${line}`);

export const graphBench: BenchCase = {
  name: "graph",
  description: `console graph over a synthetic Istio mesh (${(PLAN.namespaces * PLAN.workloadsPerNamespace).toLocaleString("en")} workloads, ${PLAN.edges.toLocaleString("en")} edges) in a real Prometheus: graph API time, browser time to the drawn graph, node stability on refresh`,
  async run() {
    const misses = flag("api-misses", 3, 20);
    const hits = flag("api-hits", 5, 50);
    const browserRuns = flag("browser-runs", 3, 10);
    const browserGraphType = (process.argv.find((a) => a.startsWith("--graph-type="))?.slice("--graph-type=".length) ?? "versionedApp") as GraphType;
    if (!GRAPH_TYPES.includes(browserGraphType)) throw new Error(`--graph-type must be one of ${GRAPH_TYPES.join(", ")}`);
    const prometheusFound = await ensurePrometheus();
    if (!prometheusFound.available) throw new Error(`the graph bench needs Prometheus: ${prometheusFound.reason}`);

    // Built first and alone: a build takes both cores for a minute.
    const build = await ensureConsoleBuild(process.argv.includes("--build"), log);

    const dir = mkdtempSync(join(tmpdir(), "skein-bench-graph-"));
    // Kept after the run, for a profiler's UI.
    const profileDir = process.argv.includes("--profile") ? mkdtempSync(join(tmpdir(), "skein-graph-cpuprofile-")) : undefined;
    let generator: MetricsGenerator | undefined;
    let prometheus: RunningPrometheus | undefined;
    let cp: RunningControlPlane | undefined;
    let consoleServer: RunningConsole | undefined;
    let browser: Browser | undefined;
    const stopAll = () =>
      Promise.allSettled([browser?.close(), consoleServer?.process.stop(), cp?.api.close(), cp?.process.stop(), prometheus?.stop(), generator?.stop()]);
    const interrupted = (signal: NodeJS.Signals) => {
      log(`${signal}: stopping everything the bench started`);
      void stopAll().then(() => {
        rmSync(dir, { recursive: true, force: true });
        removeSnapshot();
        process.exit(130);
      });
    };
    process.once("SIGINT", interrupted);
    process.once("SIGTERM", interrupted);
    // startPrometheus does not register its process for exit: do it here, by pid.
    const killPrometheus = () => prometheus && safeKill(prometheus.pid);
    process.once("exit", killPrometheus);
    try {
      snapshotBuild();
      const started = await MetricsGenerator.start(PLAN);
      generator = started.generator;
      const { ready } = started;
      const namespaces = ready.targets;
      log(`metrics generator pid ${generator.pid} on 127.0.0.1:${ready.port}: ${ready.workloads.length} workloads, ${ready.edges} edges, ${ready.series.total} series in ${namespaces.length} targets`);
      prometheus = await startPrometheus({ sdUrl: `http://127.0.0.1:${ready.port}/sd`, scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS });
      const prom = prometheus;
      log(`Prometheus ${prometheusFound.version} pid ${prom.pid} at ${prom.url}`);

      mkdirSync(join(dir, "state"));
      cp = await startControlPlane({ stateDir: join(dir, "state") });
      const config = meshConfig(ready.workloads);
      await cp.api.apply(config.yaml, "graph bench: routing for some services");
      log(`control plane pid ${cp.process.pid} at ${cp.url}: ${Object.entries(config.counts).map(([k, v]) => `${v} ${k}`).join(", ")}`);
      consoleServer = await startConsole({ prometheusUrl: prom.url, controlPlaneUrl: cp.url, stateDir: join(dir, "state"), ...(profileDir ? { cpuProfileDir: profileDir } : {}) });
      const web = consoleServer;
      log(`console pid ${web.process.pid} at ${web.url}`);

      // Rates need two samples; three scrapes of every series make the first window solid.
      const scrapeWait = performance.now();
      await prom.waitFor("min(count_over_time(istio_requests_total[1m])) >= 3", { timeoutMs: 120_000, intervalMs: 1000 });
      await prom.waitFor("count(rate(istio_requests_total[1m]) > 0)", { timeoutMs: 60_000, intervalMs: 1000, accept: (r) => Number(r[0]?.value[1]) >= ready.series.requests });
      // What the last scrape of every target brought in: cheaper than counting istio_* series.
      const seriesInPrometheus = Number((await prom.query("sum(scrape_samples_scraped)"))[0]?.value[1] ?? NaN);
      const scrapeSeconds = Number((await prom.query("avg(scrape_duration_seconds)"))[0]?.value[1] ?? NaN);
      log(`${seriesInPrometheus} series in Prometheus after ${((performance.now() - scrapeWait) / 1000).toFixed(0)} s; a scrape takes ${(scrapeSeconds * 1000).toFixed(0)} ms per target`);

      const ours = () => [process.pid, prom.pid, generator!.pid, cp!.process.pid, web.process.pid];
      await waitForQuietMachine(ours(), log);
      const before = { prom: cpuSeconds(prom.pid), web: cpuSeconds(web.process.pid), ours: ours().reduce((n, p) => n + cpuSeconds(p), 0), machine: machineBusySeconds(), at: performance.now() };
      const apiWindow = { from: Date.now(), to: 0 };
      const api = await measureGraphApi(web.url, { namespaces, duration: DURATION, misses, hits, budgetMs: 600_000 }, log);
      apiWindow.to = Date.now();
      const seconds = (performance.now() - before.at) / 1000;
      const oursUsed = ours().reduce((n, p) => n + cpuSeconds(p), 0) - before.ours;
      const cpu = {
        prometheus: (cpuSeconds(prom.pid) - before.prom) / seconds,
        console: (cpuSeconds(web.process.pid) - before.web) / seconds,
        others: Math.max(0, machineBusySeconds() - before.machine - oursUsed) / seconds,
      };
      const consoleAfterApi = web.rss();

      log("the graph's PromQL and buildGraph, run from the bench (where the API's time goes)");
      const breakdown = await measureBreakdown(prom.url, cp.url, namespaces, DURATION);
      for (const q of breakdown.queries) log(`  ${q.name.padEnd(26)} ${q.ms.toFixed(0).padStart(6)} ms  ${q.series} series`);
      log(`  all at once                 ${breakdown.parallelMs.toFixed(0).padStart(6)} ms`);
      log(`  all but latency at once     ${breakdown.parallelWithoutLatencyMs.toFixed(0).padStart(6)} ms`);

      let renders: RenderRun[] = [];
      let refresh: Awaited<ReturnType<typeof measureRefresh>> | undefined;
      let browserFailure: string | undefined;
      const profileRows: BenchMetric[] = [];
      if (!process.argv.includes("--api-only")) {
        browser = await launchBrowser();
        const url = graphPageUrl(web.url, { namespaces, graphType: browserGraphType, duration: DURATION });
        log(`browser: ${url}`);
        const runs = await renderRuns(browser, url, browserRuns);
        renders = runs.renders;
        browserFailure = runs.failure;
        if (runs.page) refresh = await measureRefresh(runs.page, { generator, prometheus: prom, graphType: browserGraphType, growth: GROWTH, seed: PLAN.seed + 1, log });
        if (profileDir && runs.page) {
          await runs.page.context().close();
          // One more first visit, not counted: the profiler slows the page down.
          const file = join(profileDir, "page.cpuprofile");
          await (await firstRender(browser, url, RENDER_TIMEOUT_MS, file)).page.context().close();
          profileRows.push(...profileSummary("page", `the graph page, navigation to drawn graph (${file})`, summarizeProfile(file, undefined, 20)));
          const methods = inclusiveByMethod(file);
          log(`the page, inclusive time by method (${(methods.busyMs / 1000).toFixed(2)} s busy):`);
          for (const m of methods.methods) {
            log(`  ${m.percent.toFixed(1).padStart(5)}%  ${m.ms.toFixed(0).padStart(6)} ms  ${m.name}`);
            profileRows.push({ name: `profile page (inclusive): ${m.name}`, value: m.percent, unit: "% of busy samples" });
          }
        }
      }
      // The P95 label: the graph is drawn before its slow response-time queries return.
      const p95Renders: (RenderRun & { labelsMs: number })[] = [];
      if (browser && !browserFailure) {
        const p95Url = graphPageUrl(web.url, { namespaces, graphType: browserGraphType, duration: DURATION, edgeLabel: "p95" });
        for (let i = 0; i < P95_RUNS; i++) {
          await new Promise((r) => setTimeout(r, SERVER_GRAPH_CACHE_MS + 500));
          const { run, page } = await firstRender(browser, p95Url, RENDER_TIMEOUT_MS);
          const labelsMs = await p95LabelsAt(page, RENDER_TIMEOUT_MS);
          await page.context().close();
          p95Renders.push({ ...run, labelsMs });
          log(`P95 label run ${i + 1}: graph drawn ${run.paintedMs.toFixed(0)} ms after navigation start, p95 labels in at ${labelsMs.toFixed(0)} ms`);
        }
      }
      const consoleAfterBrowser = web.rss();
      if (profileDir) {
        // next start writes its profile when it exits.
        await web.process.stop("SIGTERM", 30_000);
        const file = join(profileDir, "console.cpuprofile");
        const window = { fromMs: apiWindow.from - web.process.startedAt, toMs: apiWindow.to - web.process.startedAt };
        profileRows.push(...profileSummary("console", `the console during the API calls (${file})`, summarizeProfile(file, window, 20)));
      }

      const summary: GraphRunSummary = {
        plan: PLAN,
        workloads: ready.workloads.length,
        edges: ready.edges,
        series: ready.series,
        seriesInPrometheus,
        scrapeIntervalSeconds: SCRAPE_INTERVAL_SECONDS,
        scrapeSeconds,
        targets: namespaces.length,
        config: config.counts,
        ...(build.buildMs !== undefined ? { buildMs: build.buildMs } : {}),
        buildStaleSeconds: build.staleSeconds,
        browserGraphType,
        duration: DURATION,
        api: api.calls,
        workloadNodes: api.workloadNodes,
        breakdown,
        renders,
        p95Renders,
        ...(browserFailure ? { browserFailure } : {}),
        ...(refresh ? { refresh } : {}),
        rss: { consoleAfterApi, consoleAfterBrowser, prometheus: rssBytes(prom.pid), generator: rssBytes(generator.pid) },
        cpu,
      };
      return {
        name: "graph",
        at: new Date().toISOString(),
        machine: { cpus: cpus().length, node: process.version },
        metrics: [...metricRows(summary), ...profileRows],
        targets: targetRows(summary),
      };
    } finally {
      process.removeListener("SIGINT", interrupted);
      process.removeListener("SIGTERM", interrupted);
      await stopAll();
      process.removeListener("exit", killPrometheus);
      rmSync(dir, { recursive: true, force: true });
      removeSnapshot();
    }
  },
};

/**
 * First visits in fresh contexts, each a server cache miss; the last page stays open for the refresh. A page that
 * is not drawn in time ends the runs: the failure is the result, not a crash.
 */
async function renderRuns(browser: Browser, url: string, runs: number): Promise<{ renders: RenderRun[]; page?: Page; failure?: string }> {
  const renders: RenderRun[] = [];
  let last: { run: RenderRun; page: Page } | undefined;
  for (let i = 0; i < runs; i++) {
    if (last) await last.page.context().close();
    // Every run a first visit as a user makes it: the console's graph cache has expired.
    if (i > 0) await new Promise((r) => setTimeout(r, SERVER_GRAPH_CACHE_MS + 500));
    try {
      last = await firstRender(browser, url, RENDER_TIMEOUT_MS);
    } catch (e) {
      const failure = `run ${i + 1}: ${(e as Error).message.split("\n").filter((l) => !l.startsWith("Call log") && !l.startsWith("  - ")).join(" ")}`;
      log(failure);
      return { renders, failure };
    }
    const r = last.run;
    renders.push(r);
    log(`run ${i + 1}: drawn ${r.paintedMs.toFixed(0)} ms after navigation start (laid out at ${r.readyMs.toFixed(0)} ms; render ${r.renderMs.toFixed(0)} ms, /api/graph ${r.apiMs?.toFixed(0) ?? "?"} ms ${r.apiCache ?? ""}, requested by ${r.graphRequests.join(" + ") || "nothing"}), ${r.nodes} nodes, ${r.edges} edges`);
  }
  return { renders, ...(last ? { page: last.page } : {}) };
}

/** The profile printed, and its top functions and places as metric rows. */
function profileSummary(what: "page" | "console", title: string, profile: ProfileSummary): BenchMetric[] {
  console.log(`\n${formatProfileSummary(`  ${title}`, profile)}\n`);
  return [
    ...profile.categories.slice(0, 6).map((c) => ({ name: `profile ${what} (self, by script): ${c.name}`, value: c.percent, unit: "% of busy samples" })),
    ...profile.functions.slice(0, 8).map((f) => ({ name: `profile ${what} (self): ${f.name}`, value: f.percent, unit: "% of busy samples" })),
  ];
}

function safeKill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
