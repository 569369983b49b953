import { randomUint32, type Rng } from "../../clock.ts";
import type { EndpointState } from "../endpoint-state.ts";
import type { LoadBalancingPolicy } from "./policy.ts";

/**
 * RANDOM, Envoy's RandomLoadBalancer
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#random):
 * "selects a random available host". Envoy's implementation ignores endpoint weights
 * (random_lb.cc: `hosts_to_use[random_hash % hosts_to_use.size()]`); so does this one.
 */
export class RandomLoadBalancer implements LoadBalancingPolicy {
  readonly usesHash = false;

  constructor(private readonly rng: Rng) {}

  chooseHost(hosts: readonly EndpointState[]): EndpointState | undefined {
    return hosts[randomUint32(this.rng) % hosts.length];
  }
}
