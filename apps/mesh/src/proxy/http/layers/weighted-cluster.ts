import { pickWeighted, type WeightedCluster } from "@skein/shared";
import type { Rng } from "../../clock.ts";
import type { ClusterManager } from "../../cluster/cluster-runtime.ts";
import { NoClusterFound } from "../../response-flags.ts";
import type { Handler, Layer, ProxyRequest } from "../exchange.ts";
import { applyHeaderOps } from "./route.ts";

/**
 * Picks the destination by weight once per request (retries stay on that cluster, as
 * in Envoy's weighted_clusters), applies the header operations, and sends mirror copies
 * fire-and-forget.
 *
 * Header operations run in Envoy's order (router/config_impl.cc, WeightedClusterEntry::
 * finalizeRequestHeaders): the destination's first, then the route's, so on a conflict
 * the route's `set` wins — most_specific_header_mutations_wins is false by default and
 * Istio leaves it so. The mirror copy is taken after them, as Envoy shadows the finalized
 * request headers.
 */
export function withWeightedCluster(clusters: () => ClusterManager, rng: Rng, mirror: (req: ProxyRequest, cluster: string) => void): Layer {
  // Not async itself: without response header operations the inner promise is handed back as is.
  return (inner: Handler) => (req) => {
    let chosen: WeightedCluster | undefined;
    try {
      const route = req.route;
      const action = route?.action;
      if (action?.type !== "route") throw new NoClusterFound("route has no destination");
      chosen = pickWeighted(action.clusters, rng.next());
      const cluster = chosen && clusters().get(chosen.cluster);
      if (!chosen || !cluster) throw new NoClusterFound(`cluster ${chosen?.cluster ?? "(none)"} not found`);
      req.cluster = cluster;
      applyHeaderOps(req.headers, chosen.headers?.request);
      applyHeaderOps(req.headers, route!.headers?.request);
      for (const m of route!.mirrors) if (rng.next() * 100 < m.percentage) mirror(req, m.cluster);
    } catch (e) {
      return Promise.reject(e);
    }
    const own = chosen.headers?.response;
    const routes = req.route!.headers?.response;
    if (!own && !routes) return inner(req);
    return inner(req).then((res) => {
      applyHeaderOps(res.headers, own);
      applyHeaderOps(res.headers, routes);
      return res;
    });
  };
}
