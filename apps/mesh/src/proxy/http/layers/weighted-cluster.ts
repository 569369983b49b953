import { pickWeighted } from "@skein/shared";
import type { Rng } from "../../clock.ts";
import type { ClusterManager } from "../../cluster/cluster-runtime.ts";
import { NoClusterFound } from "../../response-flags.ts";
import type { Handler, Layer, ProxyRequest } from "../exchange.ts";
import { applyHeaderOps } from "./route.ts";

/**
 * Picks the destination by weight once per request (retries stay on that cluster, as
 * in Envoy's weighted_clusters), applies the destination's header operations, and sends
 * mirror copies fire-and-forget.
 */
export function withWeightedCluster(clusters: () => ClusterManager, rng: Rng, mirror: (req: ProxyRequest, cluster: string) => void): Layer {
  return (inner: Handler) => async (req) => {
    const action = req.route?.action;
    if (action?.type !== "route") throw new NoClusterFound("route has no destination");
    const chosen = pickWeighted(action.clusters, rng.next());
    const cluster = chosen && clusters().get(chosen.cluster);
    if (!chosen || !cluster) throw new NoClusterFound(`cluster ${chosen?.cluster ?? "(none)"} not found`);
    req.cluster = cluster;
    for (const m of req.route!.mirrors) if (rng.next() * 100 < m.percentage) mirror(req, m.cluster);
    applyHeaderOps(req.headers, chosen.headers?.request);
    const res = await inner(req);
    applyHeaderOps(res.headers, chosen.headers?.response);
    return res;
  };
}
