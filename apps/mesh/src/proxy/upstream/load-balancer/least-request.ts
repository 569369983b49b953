import { randomUint32, type Rng } from "../../clock.ts";
import type { EndpointState } from "../endpoint-state.ts";
import { EdfScheduler } from "./edf-scheduler.ts";
import { allWeightsEqual, HostSetMemo, weightOf } from "./host-set.ts";
import type { LoadBalancingPolicy } from "./policy.ts";

/** Envoy's LeastRequest `choice_count` default; Istio's LEAST_REQUEST leaves it unset. */
export const DEFAULT_CHOICE_COUNT = 2;

/**
 * LEAST_REQUEST, Envoy's LeastRequestLoadBalancer
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-least-request):
 * - all weights equal: "an O(1) algorithm which selects N random available hosts ...
 *   (2 by default) and picks the host which has the fewest active requests" — power of
 *   two choices. A sample replaces the candidate only when strictly less loaded, and
 *   the same host may be drawn twice (least_request_lb.cc unweightedHostPickNChoices).
 * - weights differ: a weighted round robin (EDF) schedule whose weights are computed
 *   at pick time as `load_balancing_weight / (active_requests + 1)^active_request_bias`,
 *   with the bias at its default of 1.0.
 */
export class LeastRequestLoadBalancer implements LoadBalancingPolicy {
  readonly usesHash = false;
  private readonly memo = new HostSetMemo();
  private edf: EdfScheduler<EndpointState> | undefined;

  constructor(
    private readonly rng: Rng,
    private readonly choiceCount: number = DEFAULT_CHOICE_COUNT,
  ) {}

  chooseHost(hosts: readonly EndpointState[]): EndpointState | undefined {
    if (allWeightsEqual(hosts)) return this.pickNChoices(hosts);
    if (this.memo.changed(hosts) || !this.edf) {
      const edf = new EdfScheduler<EndpointState>();
      for (const h of hosts) edf.add(dynamicWeight(h), h);
      this.edf = edf;
    }
    return this.edf.pickAndAdd(dynamicWeight);
  }

  private pickNChoices(hosts: readonly EndpointState[]): EndpointState | undefined {
    let candidate: EndpointState | undefined;
    for (let i = 0; i < this.choiceCount; i++) {
      const sampled = hosts[randomUint32(this.rng) % hosts.length]!;
      if (!candidate || sampled.activeRequests < candidate.activeRequests) candidate = sampled;
    }
    return candidate;
  }
}

/** Envoy's LeastRequestLoadBalancer::hostWeight with active_request_bias = 1.0. */
export function dynamicWeight(host: EndpointState): number {
  return weightOf(host) / (host.activeRequests + 1);
}
