import type { EndpointState } from "../endpoint-state.ts";

/**
 * One load balancing policy, Envoy's per-policy `chooseHost` under
 * source/extensions/load_balancing_policies/<policy>/. The index filters the hosts
 * (health, panic) and drives the retry-host-predicate loop; a policy only chooses.
 */
export interface LoadBalancingPolicy {
  /** Consistent-hash policies need the request's 64-bit hash; others ignore it. */
  readonly usesHash: boolean;
  /**
   * Chooses among `hosts` (never empty). `attempt` > 0 when the retry host predicate
   * rejected the previous choice for this request: hash policies then move off the
   * host the hash maps to, as Envoy's ring hash and Maglev do.
   */
  chooseHost(hosts: readonly EndpointState[], attempt: number, hash: bigint): EndpointState | undefined;
}
