import { randomUint32, type Rng } from "../../clock.ts";
import type { EndpointState } from "../endpoint-state.ts";
import { EdfScheduler } from "./edf-scheduler.ts";
import { allWeightsEqual, HostSetMemo, weightOf } from "./host-set.ts";
import type { LoadBalancingPolicy } from "./policy.ts";

/**
 * ROUND_ROBIN, Envoy's RoundRobinLoadBalancer
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-round-robin):
 * "each available upstream host is selected in round robin order. If weights are
 * assigned to endpoints in a locality, then a weighted round robin schedule is used,
 * where higher weighted endpoints will appear more often in the rotation".
 *
 * Like Envoy, the rotation starts at a random position (its `seed_`), so a fleet of
 * sidecars does not all hit the first host first; the weighted schedule (EDF) is
 * likewise advanced `seed % hosts` picks when it is built.
 */
export class RoundRobinLoadBalancer implements LoadBalancingPolicy {
  readonly usesHash = false;
  private readonly seed: number;
  private rrIndex: number;
  private readonly memo = new HostSetMemo();
  private edf: EdfScheduler<EndpointState> | undefined;

  constructor(rng: Rng) {
    this.seed = randomUint32(rng);
    this.rrIndex = this.seed;
  }

  chooseHost(hosts: readonly EndpointState[]): EndpointState | undefined {
    if (allWeightsEqual(hosts)) {
      const host = hosts[this.rrIndex % hosts.length];
      this.rrIndex = (this.rrIndex + 1) >>> 0;
      return host;
    }
    if (this.memo.changed(hosts) || !this.edf) {
      const edf = new EdfScheduler<EndpointState>();
      for (const h of hosts) edf.add(weightOf(h), h);
      for (let i = 0; i < this.seed % hosts.length; i++) edf.pickAndAdd(weightOf);
      this.edf = edf;
    }
    return this.edf.pickAndAdd(weightOf);
  }
}
