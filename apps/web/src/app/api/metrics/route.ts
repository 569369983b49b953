/**
 * GET /api/metrics — golden signals (request rate, 5xx share, latency percentiles) of a
 * graph node or edge over a window, from Istio's standard metrics. A stable contract: the
 * graph's side panel and the service and workload pages read it.
 *
 * The node, or an edge's destination:
 *   namespace   (required)
 *   app         with optional version, or
 *   workload    or
 *   service     (exactly what the graph node names; a workload wins over app, app over service)
 *   direction   inbound (default: requests the node receives, from its own proxy) |
 *               outbound (requests it sends; not for a service)
 * An edge adds its source (then direction is ignored):
 *   sourceNamespace  (required for an edge; "unknown" with sourceWorkload=unknown for callers outside the mesh)
 *   sourceApp + optional sourceVersion | sourceWorkload | sourceService
 * The window:
 *   duration    Prometheus duration from 60s to 1d (default 5m)
 *   queryTime   unix seconds the window ends at (default now)
 *   step        seconds between points (default about 100 points, at least 5 s)
 *
 * Answers MetricsResponse (client/graph/api-types.ts):
 *   { series: { rate (req/s), errorRate (% 5xx), p50, p95, p99 (ms) }: [unixSeconds, value][],
 *     start, end, step, rateInterval }
 * 400 names the bad field; 502 when Prometheus cannot be reached.
 */
import { requireViewer } from "@/server/auth";
import { ApiError, handle } from "@/server/http";
import { goldenSignals } from "@/server/metrics/fetch-golden-signals";
import { parseMetricsRequest } from "@/server/metrics/metrics-request";

export async function GET(req: Request) {
  return handle(async () => {
    await requireViewer();
    const parsed = parseMetricsRequest(new URL(req.url).searchParams);
    if (!parsed.ok) throw new ApiError(400, "BadRequest", `${parsed.field}: ${parsed.message}`, { field: parsed.field });
    return goldenSignals(parsed.value);
  });
}
