import type { Endpoint } from "@skein/shared";

/**
 * Per-host outlier bookkeeping, Envoy's DetectorHostMonitorImpl fields
 * (source/common/upstream/outlier_detection_impl.h).
 */
export interface OutlierBookkeeping {
  consecutive5xx: number;
  consecutiveGatewayFailure: number;
  /** Times this host was ejected, ever (Envoy's num_ejections, shown in events). */
  numEjections: number;
  /**
   * The ejection-time multiplier: grows by one per ejection and shrinks by one per
   * healthy interval (Envoy's eject_time_backoff_).
   */
  ejectTimeBackoff: number;
  lastEjectionTime?: number;
  lastUnejectionTime?: number;
  /** How long the current ejection lasts, fixed at ejection time (for events and logs). */
  ejectionTimeMs?: number;
}

/**
 * One upstream host as the sidecar's load balancer and outlier detector see it. The
 * object identity is the host: balancers and the tracker keep references, and
 * `reconcileEndpointStates` carries the same object across snapshot updates.
 */
export interface EndpointState {
  /** Replaced in place when a push changes the host's weight or labels (identity is the host). */
  endpoint: Endpoint;
  /** `address:port` (`[v6]:port`), Envoy's `host->address()->asString()`: the ring/Maglev hash key. */
  readonly hostKey: string;
  /** Requests in flight to this host (Envoy's rq_active), read by LEAST_REQUEST. */
  activeRequests: number;
  /** Ejected by outlier detection (Envoy's FAILED_OUTLIER_CHECK health flag). */
  ejected: boolean;
  readonly outlier: OutlierBookkeeping;
}

export function hostKeyOf(endpoint: Pick<Endpoint, "address" | "port">): string {
  return endpoint.address.includes(":") && !endpoint.address.startsWith("[")
    ? `[${endpoint.address}]:${endpoint.port}`
    : `${endpoint.address}:${endpoint.port}`;
}

export function createEndpointState(endpoint: Endpoint): EndpointState {
  return {
    endpoint,
    hostKey: hostKeyOf(endpoint),
    activeRequests: 0,
    ejected: false,
    outlier: { consecutive5xx: 0, consecutiveGatewayFailure: 0, numEjections: 0, ejectTimeBackoff: 0 },
  };
}

/**
 * States for a new endpoint list, reusing the state of every host that stays (same
 * address and port) so an ejection, its multiplier and the in-flight count survive a
 * config push, as Envoy keeps a Host object whose address did not change. A kept host
 * whose weight or labels changed keeps its state object (in-flight requests still
 * release into it) with the new Endpoint put in place; balancers notice the new
 * Endpoint object and rebuild their schedules.
 */
export function reconcileEndpointStates(
  previous: readonly EndpointState[],
  endpoints: readonly Endpoint[],
): EndpointState[] {
  const byKey = new Map<string, EndpointState>();
  for (const s of previous) byKey.set(s.hostKey, s);
  return endpoints.map((endpoint) => {
    const old = byKey.get(hostKeyOf(endpoint));
    if (!old) return createEndpointState(endpoint);
    old.endpoint = endpoint;
    return old;
  });
}
