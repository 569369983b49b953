// The graph page in headless Chromium (Debian's, through Playwright): time from navigation
// start to the drawn graph (the canvas container's data-state="ready"), the page's own
// render time, the graph request's share, and the JS heap; then a refresh with new nodes,
// checking through the cytoscape instance that no node already drawn moved.
import { writeFileSync } from "node:fs";
import { chromium, type Browser, type Page } from "@playwright/test";

/** DESIGN.md §6. */
const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
};
const VIEWPORT = { width: 1440, height: 900 };

/**
 * What the functions run inside the page use of it, typed here because the bench compiles
 * without the DOM library (the functions are sent to the page as source text).
 */
interface PageGlobals {
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
  performance: { now(): number; getEntriesByType(type: string): PageTiming[] };
  __benchReadyMs?: number;
  __benchPaintedMs?: number;
  __skeinCy?: Cy;
}

interface PageTiming {
  name: string;
  initiatorType?: string;
  startTime: number;
  responseEnd?: number;
  domContentLoadedEventEnd?: number;
}

interface CyNode {
  id(): string;
  position(): { x: number; y: number };
  renderedPosition(): { x: number; y: number };
  isParent(): boolean;
  nonempty(): boolean;
  neighborhood(selector: string): { map<T>(f: (n: CyNode) => T): T[] };
}

interface Cy {
  nodes(): { map<T>(f: (n: CyNode) => T): T[] };
  edges(): { map<T>(f: (e: { source(): CyNode; target(): CyNode; data(field: string): unknown }) => T): T[] };
  getElementById(id: string): CyNode;
  zoom(): number;
  pan(): { x: number; y: number };
}

export interface RenderRun {
  /** performance.now() when data-state turned "ready" (laid out): ms since navigation start. */
  readyMs: number;
  /**
   * The first animation frame after that, which runs after cytoscape's own frame callback
   * (queued while drawing): the graph is on screen.
   */
  paintedMs: number;
  /** data-render-ms: the page's own time to lay out and draw. */
  renderMs: number;
  nodes: number;
  edges: number;
  /** The graph request as Resource Timing saw it: started at, took. */
  apiStartMs?: number;
  apiMs?: number;
  apiCache?: string;
  /**
   * How the page fetched the graph, one initiator per request ("link" a preload, "fetch"
   * the page's own): ["link"] means the preload was used; ["link", "fetch"] that it was not.
   */
  graphRequests: string[];
  domContentLoadedMs: number;
  /** Chromium's JS heap in use after the render, and after a full GC. */
  heapUsedBytes: number;
  heapAfterGcBytes: number;
}

/**
 * Runs in the page before its own scripts: notes when data-state turns "ready" and the
 * animation frame after. Source text, not a function: tsx would wrap a named inner
 * function in a helper the page does not have.
 */
const MARK_DRAWN = `
new MutationObserver(() => {
  if (window.__benchReadyMs !== undefined) return;
  const el = document.querySelector('[data-testid="graph"]');
  if (!el || el.getAttribute("data-state") !== "ready") return;
  window.__benchReadyMs = performance.now();
  requestAnimationFrame(() => { window.__benchPaintedMs = performance.now(); });
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
`;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ ...CHROMIUM, timeout: 60_000 });
}

/**
 * Opens `url` in a fresh context (empty cache, as a first visit) and waits for the graph.
 * The moment is caught inside the page by a MutationObserver installed before any of the
 * page's scripts, so polling from here adds nothing to it.
 */
export async function firstRender(browser: Browser, url: string, timeoutMs: number, profileFile?: string): Promise<{ run: RenderRun; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.addInitScript(MARK_DRAWN);
  // The page's main thread from navigation to the drawn graph, in V8's .cpuprofile format.
  const profiler = profileFile ? await context.newCDPSession(page) : undefined;
  if (profiler) {
    await profiler.send("Profiler.enable");
    await profiler.send("Profiler.setSamplingInterval", { interval: 500 });
    await profiler.send("Profiler.start");
  }
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.length < 5 && problems.push(m.text().slice(0, 300)));
  page.on("pageerror", (e) => problems.length < 5 && problems.push(e.message.slice(0, 300)));
  let apiCache: string | undefined;
  page.on("response", (r) => {
    if (apiCache === undefined && new URL(r.url()).pathname === "/api/graph") apiCache = r.headers()["x-skein-cache"] ?? "";
  });
  try {
    await page.goto(url, { waitUntil: "commit", timeout: timeoutMs });
    const state = await page.waitForFunction(
      () => {
        const w = globalThis as unknown as PageGlobals;
        const s = w.document.querySelector('[data-testid="graph"]')?.getAttribute("data-state");
        if (s === "ready") return w.__benchPaintedMs !== undefined ? s : undefined;
        return s === "error" ? s : undefined;
      },
      undefined,
      { timeout: timeoutMs, polling: 100 },
    );
    if ((await state.jsonValue()) === "error") throw new Error(`the graph page shows an error: ${(await page.locator('[data-testid="graph"]').innerText()).slice(0, 500)}`);
    if (profiler && profileFile) {
      const { profile } = await profiler.send("Profiler.stop");
      writeFileSync(profileFile, JSON.stringify(profile));
      await profiler.detach();
    }
    const seen = await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      const el = w.document.querySelector('[data-testid="graph"]')!;
      const graphRequests = w.performance.getEntriesByType("resource").filter((e) => new URL(e.name).pathname === "/api/graph");
      const api = graphRequests[0];
      const nav = w.performance.getEntriesByType("navigation")[0];
      return {
        readyMs: w.__benchReadyMs ?? NaN,
        paintedMs: w.__benchPaintedMs ?? NaN,
        renderMs: Number(el.getAttribute("data-render-ms")),
        nodes: Number(el.getAttribute("data-nodes")),
        edges: Number(el.getAttribute("data-edges")),
        ...(api?.responseEnd !== undefined ? { apiStartMs: api.startTime, apiMs: api.responseEnd - api.startTime } : {}),
        graphRequests: graphRequests.map((e) => e.initiatorType ?? "?"),
        domContentLoadedMs: nav?.domContentLoadedEventEnd ?? NaN,
      };
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const heap = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? NaN;
    const heapUsedBytes = await heap();
    await cdp.send("HeapProfiler.collectGarbage");
    const heapAfterGcBytes = await heap();
    await cdp.detach();
    return { run: { ...seen, ...(apiCache !== undefined ? { apiCache } : {}), heapUsedBytes, heapAfterGcBytes }, page };
  } catch (e) {
    const seen = await page
      .locator('[data-testid="graph"]')
      .evaluate((el) => ["data-state", "data-nodes", "data-edges"].map((a) => `${a}=${el.getAttribute(a)}`).join(" "), undefined, { timeout: 5_000 })
      .catch(() => "no graph container");
    await context.close();
    throw new Error(`${(e as Error).message}\n  the page: ${seen}${problems.length > 0 ? `\n  its errors: ${problems.join("\n    ")}` : ""}`, { cause: e });
  }
}

export interface NodePosition {
  id: string;
  x: number;
  y: number;
  /** On screen, after pan and zoom. */
  rx: number;
  ry: number;
  parent: boolean;
}

/** Every node's position, read through the page's cytoscape instance. */
export async function nodePositions(page: Page): Promise<{ nodes: NodePosition[]; edges: [string, string][]; zoom: number; pan: { x: number; y: number } }> {
  return page.evaluate(() => {
    const cy = (globalThis as unknown as PageGlobals).__skeinCy;
    if (!cy) throw new Error("window.__skeinCy is not set: the page does not expose its cytoscape instance");
    const nodes = cy.nodes().map((n) => {
      const p = n.position();
      const r = n.renderedPosition();
      return { id: n.id(), x: p.x, y: p.y, rx: r.x, ry: r.y, parent: n.isParent() };
    });
    const edges = cy.edges().map((e): [string, string] => [e.source().id(), e.target().id()]);
    return { nodes, edges, zoom: cy.zoom(), pan: cy.pan() };
  });
}

/** The ids of each new node's neighbours, as drawn. */
export async function neighbourIds(page: Page, ids: readonly string[]): Promise<Record<string, string[]>> {
  return page.evaluate((wanted) => {
    const cy = (globalThis as unknown as PageGlobals).__skeinCy!;
    const out: Record<string, string[]> = {};
    for (const id of wanted) {
      const n = cy.getElementById(id);
      if (n.nonempty()) out[id] = n.neighborhood("node").map((m) => m.id());
    }
    return out;
  }, ids);
}

/** Waits until every id is drawn and the graph is ready again; resolves with how long that took. */
export async function waitForNodes(page: Page, ids: readonly string[], timeoutMs: number): Promise<number> {
  const started = performance.now();
  await page.waitForFunction(
    (wanted) => {
      const w = globalThis as unknown as PageGlobals;
      const cy = w.__skeinCy;
      const el = w.document.querySelector('[data-testid="graph"]');
      return el?.getAttribute("data-state") === "ready" && cy !== undefined && wanted.every((id) => cy.getElementById(id).nonempty());
    },
    ids,
    { timeout: timeoutMs, polling: 200 },
  );
  return performance.now() - started;
}

/**
 * When the first p95 label is on the canvas's data (ms since navigation start): with the
 * P95 label the page draws the graph first and fills the labels in when the slower answer
 * with response times comes.
 */
export async function p95LabelsAt(page: Page, timeoutMs: number): Promise<number> {
  const at = await page.waitForFunction(
    () => {
      const w = globalThis as unknown as PageGlobals;
      const labelled = w.__skeinCy?.edges().map((e) => e.data("labelP95")).some((l) => typeof l === "string" && l !== "");
      return labelled ? w.performance.now() : undefined;
    },
    undefined,
    { timeout: timeoutMs, polling: 50 },
  );
  return (await at.jsonValue()) as number;
}
