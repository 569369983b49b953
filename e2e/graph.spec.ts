import type { Page } from "@playwright/test";
import { test, expect } from "./fixtures.ts";

/** What the spec reads of the page's cytoscape instance (`window.__skeinCy`). */
interface CyNode {
  id(): string;
  data(key?: string): unknown;
  position(): { x: number; y: number };
  isParent(): boolean;
}
interface CyEdge {
  id(): string;
  data(key?: string): unknown;
  source(): CyNode;
  target(): CyNode;
}
interface Cy {
  nodes(): { map<T>(f: (n: CyNode) => T): T[] };
  edges(): { map<T>(f: (e: CyEdge) => T): T[] };
  $id(id: string): { emit(event: string): void };
}
/** The page's global object, as the functions passed to page.evaluate see it (this project compiles without the DOM library). Inline in each function: page.evaluate sends the function's source, not its closure. */
interface PageGlobals {
  __skeinCy?: Cy;
  requestAnimationFrame(callback: () => void): number;
}

async function openGraph(page: Page): Promise<void> {
  await page.goto("/?namespaces=shop");
  const graph = page.getByTestId("graph");
  await expect(graph).toHaveAttribute("data-state", "ready", { timeout: 30_000 });
  await page.waitForFunction(() => ((globalThis as unknown as PageGlobals).__skeinCy?.edges().map((e) => e).length ?? 0) > 0);
}

/** Node and edge facts, as plain data out of the browser. */
function readGraph(page: Page) {
  return page.evaluate(() => {
    const cy = (globalThis as unknown as PageGlobals).__skeinCy!;
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    return {
      nodes: cy.nodes().map((n) => ({ id: n.id(), parent: n.isParent(), app: str(n.data("app")), service: str(n.data("service")), x: n.position().x, y: n.position().y })),
      edges: cy.edges().map((e) => ({
        id: e.id(),
        sourceApp: str(e.source().data("app")),
        targetApp: str(e.target().data("app")) ?? str(e.target().data("service")),
        targetService: str(e.target().data("service")),
        rate: Number(e.data("rate") ?? 0),
        isMTLS: e.data("isMTLS"),
      })),
    };
  });
}

const mtls = (v: unknown) => v === true || (typeof v === "number" && v > 0) || (typeof v === "string" && Number(v) > 0);

test.describe("graph", () => {
  test("shows the demo's services with traffic and mTLS locks", async ({ viewerPage: page }) => {
    await openGraph(page);
    const g = await readGraph(page);
    const apps = new Set(g.nodes.flatMap((n) => [n.app, n.service]).filter(Boolean));
    for (const app of ["productpage", "details", "reviews", "ratings"]) expect(apps, `nodes: ${[...apps].join(", ")}`).toContain(app);
    const busy = g.edges.filter((e) => e.rate > 0);
    for (const [from, to] of [["productpage", "details"], ["productpage", "reviews"], ["reviews", "ratings"]]) {
      expect(busy.some((e) => e.sourceApp === from && e.targetApp === to), `${from} -> ${to} carries traffic`).toBe(true);
    }
    // A STRICT PeerAuthentication covers the shop: every edge between sidecars is mutual TLS.
    const inMesh = busy.filter((e) => e.sourceApp && e.targetApp && e.sourceApp !== "unknown");
    expect(inMesh.length).toBeGreaterThan(2);
    expect(inMesh.filter((e) => !mtls(e.isMTLS)), "edges without mTLS").toEqual([]);
    const graph = page.getByTestId("graph");
    expect(Number(await graph.getAttribute("data-nodes"))).toBe(g.nodes.length);
    expect(Number(await graph.getAttribute("data-edges"))).toBe(g.edges.length);
  });

  test("selecting the productpage -> reviews edge shows its charts and traces", async ({ viewerPage: page }) => {
    await openGraph(page);
    const g = await readGraph(page);
    const edge = g.edges.find((e) => e.sourceApp === "productpage" && e.targetApp === "reviews" && e.rate > 0);
    expect(edge, JSON.stringify(g.edges)).toBeDefined();
    // A block body: emit() returns the cytoscape collection, which Playwright would try to serialise.
    await page.evaluate((id) => {
      (globalThis as unknown as PageGlobals).__skeinCy!.$id(id).emit("tap");
    }, edge!.id);

    const panel = page.getByTestId("side-panel");
    await expect(panel).toBeVisible();
    await expect(panel).toContainText(/reviews/);
    for (const chart of ["chart-rate", "chart-errors", "chart-latency"]) await expect(panel.getByTestId(chart)).toBeVisible();
    const traces = panel.getByTestId("side-traces");
    await expect(traces).toBeVisible();
    const link = traces.locator('a[href^="/traces/"]').first();
    await expect(link).toBeVisible({ timeout: 30_000 });
    await link.click();
    await expect(page).toHaveURL(/\/traces\/[0-9a-f]+/);
    await expect(page.getByTestId("trace-waterfall")).toBeVisible();
  });

  test("a refresh moves no existing node", async ({ viewerPage: page }) => {
    await openGraph(page);
    const before = await readGraph(page);
    const refreshed = page.waitForResponse((r) => r.url().includes("/api/graph") && r.ok());
    await page.getByTestId("graph-refresh-now").click();
    await refreshed;
    await expect(page.getByTestId("graph")).toHaveAttribute("data-state", "ready");
    // The diff is applied on the next frames; two frames are enough for cytoscape to draw it.
    await page.evaluate(() => new Promise((r) => (globalThis as unknown as PageGlobals).requestAnimationFrame(() => (globalThis as unknown as PageGlobals).requestAnimationFrame(() => r(undefined)))));
    const after = await readGraph(page);
    // Box (compound) nodes follow their children; the children are what must not move.
    const moved = before.nodes
      .filter((n) => !n.parent)
      .flatMap((n) => {
        const now = after.nodes.find((m) => m.id === n.id);
        return now && Math.hypot(now.x - n.x, now.y - n.y) > 0.5 ? [`${n.id}: (${n.x.toFixed(1)},${n.y.toFixed(1)}) -> (${now.x.toFixed(1)},${now.y.toFixed(1)})`] : [];
      });
    expect(after.nodes.filter((n) => before.nodes.some((b) => b.id === n.id)).length).toBeGreaterThan(3);
    expect(moved).toEqual([]);
  });
});
