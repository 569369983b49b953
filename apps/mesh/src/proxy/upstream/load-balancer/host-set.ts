import type { EndpointState } from "../endpoint-state.ts";

/**
 * Which hosts a balancer may pick from: the healthy ones, or all of them in panic mode.
 *
 * Envoy's panic threshold
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/panic_threshold):
 * when the share of available hosts falls below the threshold, Envoy "will disregard
 * health status and balance amongst all hosts"; with the threshold at 0 panic is off and
 * it balances amongst the healthy hosts only — none left means no host (503 UH). The
 * panic check only applies when the normalized total availability is below 100%, and
 * availability is scaled by the overprovisioning factor 1.4
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/priority):
 * with one priority level, a cluster with at least 5 of 7 hosts healthy is never in
 * panic whatever the threshold. This mirrors LoadBalancerBase::recalculatePerPriorityPanic
 * and isHostSetInPanic (source/extensions/load_balancing_policies/common/load_balancer_impl.cc).
 *
 * Istio sets `healthy_panic_threshold` from DestinationRule outlierDetection.minHealthPercent
 * (default 0, i.e. disabled); without outlier detection Envoy's default of 50% applies.
 */

/** Envoy's `default_overprovisioning_factor` (140, i.e. 1.4). */
export const OVERPROVISIONING_FACTOR_PERCENT = 140;
/** Envoy's default `healthy_panic_threshold` when the cluster does not set one. */
export const DEFAULT_PANIC_THRESHOLD_PERCENT = 50;

export type HostSource = "healthy" | "all";

export interface HostsToUse {
  hosts: readonly EndpointState[];
  /** "all" means panic: health was disregarded. */
  source: HostSource;
}

const EMPTY: readonly EndpointState[] = Object.freeze([]);

/** True when Envoy would treat this single-priority host set as in panic. */
export function isInPanic(total: number, healthy: number, panicThresholdPercent: number): boolean {
  const threshold = Math.min(100, Math.max(0, panicThresholdPercent));
  if (threshold === 0 || total === 0) return false;
  // Integer math as Envoy: health = min(100, 140 * healthy / total) with uint division.
  const availability = Math.min(100, Math.floor((OVERPROVISIONING_FACTOR_PERCENT * healthy) / total));
  if (availability === 100) return false;
  return (100 * healthy) / total < threshold;
}

/**
 * The hosts to balance over, written into `into` (a balancer passes its own object, so
 * a pick allocates nothing when no host is ejected: the caller's array is used as is).
 */
export function hostsToUse(
  endpoints: readonly EndpointState[],
  panicThresholdPercent: number,
  into: HostsToUse = { hosts: EMPTY, source: "healthy" },
): HostsToUse {
  const total = endpoints.length;
  let healthy = 0;
  for (let i = 0; i < total; i++) if (!endpoints[i]!.ejected) healthy++;
  into.source = "healthy";
  if (healthy === total) {
    into.hosts = endpoints;
  } else if (isInPanic(total, healthy, panicThresholdPercent)) {
    into.hosts = endpoints;
    into.source = "all";
  } else if (healthy === 0) {
    into.hosts = EMPTY;
  } else {
    const picked: EndpointState[] = [];
    for (let i = 0; i < total; i++) if (!endpoints[i]!.ejected) picked.push(endpoints[i]!);
    into.hosts = picked;
  }
  return into;
}

/** Envoy switches from plain round robin / P2C to a weighted schedule when any weight differs. */
export function allWeightsEqual(hosts: readonly EndpointState[]): boolean {
  if (hosts.length === 0) return true;
  const w = weightOf(hosts[0]!);
  for (let i = 1; i < hosts.length; i++) if (weightOf(hosts[i]!) !== w) return false;
  return true;
}

/** Envoy treats a missing or zero load_balancing_weight as 1 (weights are >= 1 on the wire). */
export function weightOf(host: EndpointState): number {
  const w = host.endpoint.weight;
  return Number.isFinite(w) && w > 0 ? w : 1;
}

/**
 * Remembers the host list a schedule (EDF, ring, table) was built for. Rebuilding is
 * needed when a host joins or leaves, or a push replaced a host's Endpoint (weight).
 */
export class HostSetMemo {
  private endpoints: readonly unknown[] = [];

  /** True when `hosts` differ from the list seen last time (and remembers them). */
  changed(hosts: readonly EndpointState[]): boolean {
    const prev = this.endpoints;
    let same = prev.length === hosts.length;
    for (let i = 0; same && i < hosts.length; i++) same = prev[i] === hosts[i]!.endpoint;
    if (same) return false;
    this.endpoints = hosts.map((h) => h.endpoint);
    return true;
  }
}
