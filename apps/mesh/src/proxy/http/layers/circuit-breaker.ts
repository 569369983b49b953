import { UpstreamOverflow } from "../../response-flags.ts";
import type { Layer } from "../exchange.ts";
import { onResponseDone } from "../response-done.ts";

/**
 * The cluster's circuit breakers per attempt (Istio connectionPool): max active requests
 * (http2MaxRequests), and max requests waiting for a connection (http1MaxPendingRequests)
 * once every allowed connection is busy. Overflow is answered 503 UO and never retried.
 */
export function withCircuitBreaker(onOverflow: (cluster: string) => void): Layer {
  return (inner) => async (req) => {
    const cluster = req.cluster!;
    const breakers = cluster.breakers;
    let active = 0;
    for (const h of cluster.hosts) active += h.activeRequests;
    let queued = false;
    // With every connection busy (HTTP/1.1 carries one request at a time) the request waits.
    if (active >= breakers.limits.maxConnections) {
      if (!breakers.queueRequest().ok) return overflow(req.flags, cluster.cluster.name, onOverflow);
      queued = true;
    }
    if (!breakers.startRequest().ok) {
      if (queued) breakers.dequeueRequest();
      return overflow(req.flags, cluster.cluster.name, onOverflow);
    }
    let res;
    try {
      res = await inner(req);
    } catch (e) {
      breakers.endRequest();
      throw e;
    } finally {
      if (queued) breakers.dequeueRequest();
    }
    onResponseDone(res, () => breakers.endRequest());
    return res;
  };
}

function overflow(flags: string[], cluster: string, onOverflow: (cluster: string) => void): never {
  flags.push("UO");
  onOverflow(cluster);
  throw new UpstreamOverflow();
}
