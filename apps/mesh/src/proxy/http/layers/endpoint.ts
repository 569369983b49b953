import type { Clock } from "../../clock.ts";
import { NoHealthyUpstream } from "../../response-flags.ts";
import { parseGrpcStatus } from "../../upstream/grpc-status.ts";
import type { EndpointState } from "../../upstream/endpoint-state.ts";
import type { PickContext } from "../../upstream/load-balancer/index.ts";
import { firstHeader, type Layer, type ProxyRequest } from "../exchange.ts";
import { onResponseDone } from "../response-done.ts";
import { AttemptFailure } from "../send-upstream.ts";

/**
 * Picks the host with the cluster's load balancer (skipping ejected hosts and, on retry,
 * the hosts already tried), counts the request against the host while it is active, and
 * reports every outcome to outlier detection.
 */
export function withEndpoint(clock: Clock, downstreamAddress: (req: ProxyRequest) => string): Layer {
  return (inner) => async (req) => {
    const cluster = req.cluster!;
    const ctx: PickContext = {};
    const hashKey = hashKeyOf(req, downstreamAddress);
    if (hashKey !== undefined) ctx.hashKey = hashKey;
    if (req.attempt > 1) avoidPreviousHosts(req, ctx);
    const host = cluster.lb.pick(cluster.hosts, ctx);
    if (!host) {
      req.flags.push("UH");
      throw new NoHealthyUpstream();
    }
    req.host = host;
    host.activeRequests++;
    try {
      const res = await inner(req);
      cluster.outlier?.putResult(host, { status: res.status, grpcStatus: parseGrpcStatus(firstHeader(res.headers, "grpc-status")) }, clock.now());
      onResponseDone(res, () => host.activeRequests--);
      return res;
    } catch (e) {
      host.activeRequests--;
      if (e instanceof AttemptFailure) cluster.outlier?.putResult(host, e.outcome, clock.now());
      throw e;
    }
  };
}

/** Hosts the earlier attempts of a request went to; only retried requests get an entry. */
const previousHosts = new WeakMap<ProxyRequest, EndpointState[]>();

/**
 * Istio's retry host predicate, Envoy's previous_hosts: a retry prefers a host no earlier
 * attempt used (the balancer re-picks up to host_selection_retry_max_attempts times).
 * Istio leaves it out of the default policy of consistent-hash destinations, so a retry
 * stays on the hashed host (pilot route/retry DefaultConsistentHashPolicy).
 * `req.host` still names the previous attempt's host when the retry comes down here.
 */
function avoidPreviousHosts(req: ProxyRequest, ctx: PickContext): void {
  if (!req.host || req.cluster!.cluster.lb.type === "CONSISTENT_HASH") return;
  const tried = previousHosts.get(req) ?? [];
  if (tried.length === 0) previousHosts.set(req, tried);
  tried.push(req.host);
  ctx.shouldSelectAnotherHost = (host) => tried.includes(host);
}

/** Envoy's hash policy for consistent-hash clusters: header, cookie, source IP or query parameter. */
function hashKeyOf(req: ProxyRequest, downstreamAddress: (req: ProxyRequest) => string): string | undefined {
  const lb = req.cluster!.cluster.lb;
  if (lb.type !== "CONSISTENT_HASH") return undefined;
  const on = lb.hashOn;
  if ("header" in on) return firstHeader(req.headers, on.header);
  if ("queryParameter" in on) {
    const q = req.path.indexOf("?");
    return q < 0 ? undefined : (new URLSearchParams(req.path.slice(q + 1)).get(on.queryParameter) ?? undefined);
  }
  if ("cookie" in on) {
    const cookies = firstHeader(req.headers, "cookie") ?? "";
    for (const part of cookies.split(";")) {
      const [k, ...v] = part.trim().split("=");
      if (k !== on.cookie.name) continue;
      // Envoy's parseCookieValue drops the double quotes around a value: "a" and a hash alike.
      const value = v.join("=");
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
    return undefined;
  }
  return downstreamAddress(req);
}
