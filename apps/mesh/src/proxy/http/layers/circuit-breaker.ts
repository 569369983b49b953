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
    // HTTP/1.1 carries one request per connection at a time, so of the requests in flight
    // those beyond maxConnections are waiting for a connection, and each leaves the queue
    // as soon as an earlier response completes and hands it the connection — Envoy's
    // pending requests. Counting them from what is in flight, rather than holding a
    // pending slot until the request's own response, lets the next request queue once a
    // waiting one got its connection. (One pool per cluster: exact for a single host;
    // Envoy's per-host pools each open at least one connection.)
    if (!breakers.admitWaiting(active - breakers.limits.maxConnections).ok) return overflow(req.flags, cluster.cluster.name, onOverflow);
    if (!breakers.startRequest().ok) return overflow(req.flags, cluster.cluster.name, onOverflow);
    let res;
    try {
      res = await inner(req);
    } catch (e) {
      breakers.endRequest();
      throw e;
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
