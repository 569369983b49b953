import type { EndpointState } from "../endpoint-state.ts";
import { HostSetMemo, weightOf } from "./host-set.ts";
import type { LoadBalancingPolicy } from "./policy.ts";
import { xxHash64 } from "./xxhash64.ts";

/** Envoy's RingHashLbConfig defaults (`minimum_ring_size` 1024, `maximum_ring_size` 8M). */
export const DEFAULT_MIN_RING_SIZE = 1024;
export const DEFAULT_MAX_RING_SIZE = 8 * 1024 * 1024;

/**
 * CONSISTENT_HASH with Istio's ringHash, Envoy's RingHashLoadBalancer
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#ring-hash,
 * source/extensions/load_balancing_policies/ring_hash/ring_hash_lb.cc):
 * each host is hashed onto a ring `scale × normalized weight` times, with keys
 * `<address:port>_<i>` hashed by XXH64; a request maps to the first ring entry whose
 * hash is >= the request's hash, wrapping around. Adding or removing a host only moves
 * the keys that fall on that host's arcs.
 *
 * The ring is built over the hosts the balancer may use (healthy ones, or all in panic),
 * as Envoy rebuilds it on every host-set or health change.
 */
export class RingHashLoadBalancer implements LoadBalancingPolicy {
  readonly usesHash = true;
  private readonly memo = new HostSetMemo();
  private ring: Ring = { hashes: new BigUint64Array(0), hosts: [] };

  constructor(
    private readonly minRingSize: number = DEFAULT_MIN_RING_SIZE,
    private readonly maxRingSize: number = DEFAULT_MAX_RING_SIZE,
  ) {
    if (!(minRingSize > 0)) this.minRingSize = DEFAULT_MIN_RING_SIZE;
    if (this.minRingSize > this.maxRingSize) {
      throw new RangeError(`ring hash: minimum_ring_size (${this.minRingSize}) > maximum_ring_size (${this.maxRingSize})`);
    }
  }

  chooseHost(hosts: readonly EndpointState[], attempt: number, hash: bigint): EndpointState | undefined {
    if (this.memo.changed(hosts)) this.ring = buildRing(hosts, this.minRingSize, this.maxRingSize);
    return chooseOnRing(this.ring, hash, attempt);
  }

  /** Entries on the current ring (Envoy's `ring_hash_lb.size` gauge). */
  get ringSize(): number {
    return this.ring.hosts.length;
  }
}

export interface Ring {
  /** Sorted ascending. */
  hashes: BigUint64Array;
  /** hosts[i] owns hashes[i]. */
  hosts: EndpointState[];
}

export function buildRing(hosts: readonly EndpointState[], minRingSize: number, maxRingSize: number): Ring {
  if (hosts.length === 0) return { hashes: new BigUint64Array(0), hosts: [] };
  let total = 0;
  for (const h of hosts) total += weightOf(h);
  let minNormalized = Infinity;
  for (const h of hosts) minNormalized = Math.min(minNormalized, weightOf(h) / total);

  // Scale so the least-weighted host gets a whole number of entries, capped at the max
  // ring size; running sums hand out the fractional remainders in host order.
  const scale = Math.min(Math.ceil(minNormalized * minRingSize) / minNormalized, maxRingSize);
  const entries: { hash: bigint; host: EndpointState }[] = [];
  let current = 0;
  let target = 0;
  for (const host of hosts) {
    target += (scale * weightOf(host)) / total;
    const prefix = `${host.hostKey}_`;
    for (let i = 0; current < target; i++, current++) entries.push({ hash: xxHash64(prefix + i), host });
  }
  entries.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const hashes = new BigUint64Array(entries.length);
  for (let i = 0; i < entries.length; i++) hashes[i] = entries[i]!.hash;
  return { hashes, hosts: entries.map((e) => e.host) };
}

/**
 * The host owning `hash`: the first entry with `entry >= hash`, else the first entry
 * (Envoy's ketama search). On a retry-predicate attempt, Envoy behaves "as if this host
 * was not in the ring" by stepping `attempt` entries further.
 */
export function chooseOnRing(ring: Ring, hash: bigint, attempt = 0): EndpointState | undefined {
  const n = ring.hashes.length;
  if (n === 0) return undefined;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ring.hashes[mid]! < hash) lo = mid + 1;
    else hi = mid;
  }
  let idx = lo === n ? 0 : lo;
  if (attempt > 0) idx = (idx + attempt) % n;
  return ring.hosts[idx];
}
