// The graph page's side of the bench: its URL (the view state client/graph/url-state.ts
// reads), and the refresh check: grow the mesh, wait until Prometheus has rates for the new
// edges, let the page's own refresh interval fetch them, and compare positions.
import type { Page } from "@playwright/test";
import type { GraphType } from "@skein/shared";
import type { RunningPrometheus } from "../../apps/mesh/src/runner/prometheus.ts";
import { neighbourIds, nodePositions, waitForNodes } from "./browser.ts";
import type { MetricsGenerator } from "./generator.ts";
import { analyseRefresh, type RefreshOutcome } from "./refresh.ts";
import type { SyntheticWorkload } from "./synthetic-mesh.ts";

/** The page's default refresh interval, which the bench relies on for the refresh. */
const REFRESH = "10s";

export function graphPageUrl(consoleUrl: string, o: { namespaces: readonly string[]; graphType: GraphType; duration: string; edgeLabel?: "p95" }): string {
  const q = new URLSearchParams({ namespaces: o.namespaces.join(","), graphType: o.graphType, duration: o.duration, refresh: REFRESH, ...(o.edgeLabel ? { edgeLabel: o.edgeLabel } : {}) });
  return `${consoleUrl}/?${q}`;
}

/** The node ids the builder gives a new workload and its service (packages/shared/src/graph/node-id.ts). */
export function newNodeIds(graphType: GraphType, workloads: readonly SyntheticWorkload[]): string[] {
  return workloads.flatMap((w) => {
    const service = `svc:${w.namespace}:${w.app}`;
    if (graphType === "service") return [service];
    if (graphType === "workload") return [`wl:${w.namespace}:${w.name}`, service];
    if (graphType === "versionedApp") return [`vapp:${w.namespace}:${w.name}`, service];
    return [`app:${w.namespace}:${w.app}`, service];
  });
}

export interface RefreshOptions {
  generator: MetricsGenerator;
  prometheus: RunningPrometheus;
  graphType: GraphType;
  growth: number;
  seed: number;
  log: (line: string) => void;
}

export async function measureRefresh(page: Page, o: RefreshOptions): Promise<RefreshOutcome & { waitMs: number; grownWorkloads: number; grownEdges: number }> {
  const before = await nodePositions(page);
  const grown = await o.generator.grow(o.growth, o.seed);
  const names = grown.workloads.map((w) => w.name).join("|");
  o.log(`refresh: the mesh grew by ${grown.workloads.length} workloads and ${grown.edges} edges; waiting for their rates in Prometheus`);
  // Both directions of every new workload, as the client's proxy reports them.
  for (const side of ["source_workload", "destination_workload"]) {
    await o.prometheus.waitFor(`count(sum by (${side}) (rate(istio_requests_total{reporter="source",${side}=~"${names}"}[1m])) > 0)`, {
      timeoutMs: 90_000,
      intervalMs: 1000,
      accept: (r) => Number(r[0]?.value[1]) >= grown.workloads.length,
    });
  }
  const ids = newNodeIds(o.graphType, grown.workloads);
  const started = performance.now();
  // The refresh button, as a user would (it waits while a refresh runs); the page's own
  // 10 s interval would bring them too, and does if the click lands on a cached answer.
  await page.getByTestId("graph-refresh-now").click({ timeout: 120_000 });
  await waitForNodes(page, ids, 120_000);
  const waitMs = performance.now() - started;
  const after = await nodePositions(page);
  const outcome = analyseRefresh(before, after, ids, await neighbourIds(page, ids), after.edges);
  o.log(
    `refresh: new nodes drawn ${waitMs.toFixed(0)} ms after their rates were in Prometheus; ${outcome.moved} of ${outcome.compared} existing nodes moved (max ${outcome.maxDisplacementPx.toFixed(1)} px), ${outcome.movedOnScreen} on screen; ${outcome.newPlaced} of ${outcome.newExpected} new nodes placed`,
  );
  if (outcome.overlaps.length > 0) o.log(`refresh: new nodes on top of another: ${outcome.overlaps.join(", ")}`);
  return { ...outcome, waitMs, grownWorkloads: grown.workloads.length, grownEdges: grown.edges };
}
