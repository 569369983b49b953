/**
 * GET /api/overview?duration=5m — one summary per namespace (apps and their health, mTLS
 * in force, config validation, sidecars ACKed), and request health by app, workload and
 * service over the window (Kiali's default tolerances), which the services and workloads
 * lists show too. Without Prometheus, health is null and `warnings` says why.
 */
import { requireViewer } from "@/server/auth";
import { handle } from "@/server/http";
import { fetchOverview } from "@/server/overview/fetch-overview";

export async function GET(req: Request) {
  return handle(async () => {
    await requireViewer();
    return fetchOverview(new URL(req.url).searchParams.get("duration") ?? "5m");
  });
}
