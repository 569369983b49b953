/**
 * GET /api/graph — the service graph, built from Istio's standard metrics in Prometheus
 * with Kiali's queries (packages/shared/src/graph), plus node badges from the control
 * plane's config and registry.
 *
 *   namespaces  comma-separated namespaces (required), e.g. shop,other
 *   graphType   app | versionedApp (default) | workload | service
 *   duration    window, a Prometheus duration from 60s to 1d (default 1m)
 *   idleEdges   true | false (default): keep edges without traffic in the window
 *   responseTime true (default) | false: p95 response times on edges (the histogram queries;
 *               the page asks for them only when the P95 label or an `rt` find/hide needs them)
 *   queryTime   unix seconds the window ends at (default now)
 *
 * Answers GraphResponse (client/graph/api-types.ts): `graph.nodes` / `graph.edges` as the
 * shared builder makes them. Node ids are the builder's (`svc:shop:reviews`,
 * `vapp:shop:reviews-v2`, `box:app:shop:reviews`), edge ids `<sourceId>-><targetId>:<protocol>`.
 * Identical requests within 5 s share one computation (`meta.cached`, header x-skein-cache).
 * 400 names the bad field; 502 when Prometheus cannot be reached (says which PROMETHEUS_URL).
 */
import { NextResponse } from "next/server";
import { requireViewer } from "@/server/auth";
import { fetchGraphOr400 } from "@/server/graph/graph-handler";
import { handle } from "@/server/http";

export async function GET(req: Request) {
  return handle(async () => {
    await requireViewer();
    const body = await fetchGraphOr400(new URL(req.url).searchParams);
    const t = body.meta.timings;
    return NextResponse.json(body, {
      headers: {
        "cache-control": "no-store",
        "x-skein-cache": body.meta.cached ? "hit" : "miss",
        "server-timing": `prometheus;dur=${t.prometheusMs}, build;dur=${t.buildMs}, total;dur=${t.totalMs}`,
      },
    });
  });
}
