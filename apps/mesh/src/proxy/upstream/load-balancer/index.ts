import type { Cluster, LoadBalancer as LoadBalancerConfig } from "@skein/shared";
import { randomUint32, type Rng } from "../../clock.ts";
import type { EndpointState } from "../endpoint-state.ts";
import { DEFAULT_PANIC_THRESHOLD_PERCENT, hostsToUse, type HostSource, type HostsToUse } from "./host-set.ts";
import { LeastRequestLoadBalancer } from "./least-request.ts";
import { MaglevLoadBalancer } from "./maglev.ts";
import type { LoadBalancingPolicy } from "./policy.ts";
import { RandomLoadBalancer } from "./random.ts";
import { RingHashLoadBalancer } from "./ring-hash.ts";
import { RoundRobinLoadBalancer } from "./round-robin.ts";
import { xxHash64 } from "./xxhash64.ts";

export { DEFAULT_PANIC_THRESHOLD_PERCENT, hostsToUse, isInPanic } from "./host-set.ts";

/**
 * Istio's default route retry policy sets `host_selection_retry_max_attempts: 5` with the
 * `previous_hosts` retry host predicate (pilot route/retry DefaultPolicy).
 */
export const DEFAULT_HOST_SELECTION_RETRY_MAX_ATTEMPTS = 5;

export interface PickContext {
  /**
   * The consistent-hash key the route's hash policy extracted (header value, cookie
   * value, source IP, query parameter). Absent: Envoy uses a random hash.
   */
  hashKey?: string;
  /**
   * Retry host predicate (Envoy's `previous_hosts`): true asks for another host. Envoy
   * re-picks up to host_selection_retry_max_attempts times, then keeps the last pick.
   */
  shouldSelectAnotherHost?: (host: EndpointState) => boolean;
  /** PASSTHROUGH only: the request's original destination, which is the host. */
  originalDestination?: EndpointState;
}

export interface EndpointLoadBalancer {
  readonly type: LoadBalancerConfig["type"];
  /** The host for this request, or undefined when none may be used (the caller answers 503 UH). */
  pick(endpoints: readonly EndpointState[], ctx?: PickContext): EndpointState | undefined;
  /** Whether the last pick disregarded health (panic mode), for the lb_healthy_panic counter. */
  readonly lastSource: HostSource;
}

export interface LoadBalancerOptions {
  /** Envoy `healthy_panic_threshold` in percent; see `panicThresholdFor`. Default 50. */
  panicThresholdPercent?: number;
  hostSelectionRetryMaxAttempts?: number;
}

/**
 * The panic threshold Envoy runs with for this cluster: Istio copies
 * outlierDetection.minHealthPercent into `healthy_panic_threshold` (0 disables panic);
 * without outlier detection it sets nothing and Envoy's 50% default applies.
 */
export function panicThresholdFor(cluster: Pick<Cluster, "outlierDetection">): number {
  return cluster.outlierDetection ? cluster.outlierDetection.minHealthPercent : DEFAULT_PANIC_THRESHOLD_PERCENT;
}

export function createLoadBalancer(
  lb: LoadBalancerConfig,
  rng: Rng,
  options: LoadBalancerOptions = {},
): EndpointLoadBalancer {
  if (lb.type === "PASSTHROUGH") return new OriginalDestinationBalancer();
  return new PolicyBalancer(lb.type, policyFor(lb, rng), rng, options);
}

function policyFor(lb: Exclude<LoadBalancerConfig, { type: "PASSTHROUGH" }>, rng: Rng): LoadBalancingPolicy {
  switch (lb.type) {
    case "ROUND_ROBIN":
      return new RoundRobinLoadBalancer(rng);
    case "LEAST_REQUEST":
      return new LeastRequestLoadBalancer(rng);
    case "RANDOM":
      return new RandomLoadBalancer(rng);
    case "CONSISTENT_HASH":
      return lb.algorithm === "MAGLEV" ? new MaglevLoadBalancer(lb.ringSize) : new RingHashLoadBalancer(lb.ringSize);
  }
}

class PolicyBalancer implements EndpointLoadBalancer {
  private readonly selection: HostsToUse = { hosts: [], source: "healthy" };
  private readonly panicThreshold: number;
  private readonly maxAttempts: number;

  constructor(
    readonly type: LoadBalancerConfig["type"],
    private readonly policy: LoadBalancingPolicy,
    private readonly rng: Rng,
    options: LoadBalancerOptions,
  ) {
    this.panicThreshold = options.panicThresholdPercent ?? DEFAULT_PANIC_THRESHOLD_PERCENT;
    this.maxAttempts = (options.hostSelectionRetryMaxAttempts ?? DEFAULT_HOST_SELECTION_RETRY_MAX_ATTEMPTS) + 1;
  }

  get lastSource(): HostSource {
    return this.selection.source;
  }

  pick(endpoints: readonly EndpointState[], ctx?: PickContext): EndpointState | undefined {
    const hosts = hostsToUse(endpoints, this.panicThreshold, this.selection).hosts;
    if (hosts.length === 0) return undefined;
    const hash = this.policy.usesHash ? this.requestHash(ctx?.hashKey) : 0n;
    const another = ctx?.shouldSelectAnotherHost;
    let host = this.policy.chooseHost(hosts, 0, hash);
    if (!another) return host;
    // Envoy's chooseHost loop: re-pick while the predicate rejects, keep the last pick.
    for (let attempt = 1; attempt < this.maxAttempts && host && another(host); attempt++) {
      host = this.policy.chooseHost(hosts, attempt, hash);
    }
    return host;
  }

  private requestHash(key: string | undefined): bigint {
    if (key !== undefined) return xxHash64(key);
    return (BigInt(randomUint32(this.rng)) << 32n) | BigInt(randomUint32(this.rng));
  }
}

/**
 * PASSTHROUGH (Envoy ORIGINAL_DST): the request goes where the app sent it; the
 * cluster has no endpoint list to balance over and no health to check.
 */
class OriginalDestinationBalancer implements EndpointLoadBalancer {
  readonly type = "PASSTHROUGH" as const;
  readonly lastSource: HostSource = "healthy";

  pick(_endpoints: readonly EndpointState[], ctx?: PickContext): EndpointState | undefined {
    return ctx?.originalDestination;
  }
}
