import type { EndpointState } from "../endpoint-state.ts";
import { HostSetMemo, weightOf } from "./host-set.ts";
import type { LoadBalancingPolicy } from "./policy.ts";
import { xxHash64 } from "./xxhash64.ts";

/** Envoy's MaglevLbConfig `table_size` default (a prime). */
export const DEFAULT_MAGLEV_TABLE_SIZE = 65537;

const MASK64 = (1n << 64n) - 1n;

/**
 * CONSISTENT_HASH with Istio's maglev, Envoy's MaglevLoadBalancer
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#maglev,
 * source/extensions/load_balancing_policies/maglev/maglev_lb.cc, after the Maglev paper's
 * listing 1): every host walks its own permutation of a prime-sized table
 * (offset = XXH64(address) mod M, skip = XXH64(address, seed 1) mod (M-1) + 1), taking
 * turns in address order and weighted by normalized weight, until the table is full.
 * A request goes to `table[hash mod M]`; removing a host mostly reassigns only its slots.
 */
export class MaglevLoadBalancer implements LoadBalancingPolicy {
  readonly usesHash = true;
  private readonly memo = new HostSetMemo();
  private table: MaglevTable = { slots: new Int32Array(0), hosts: [] };
  readonly tableSize: number;

  constructor(tableSize: number = DEFAULT_MAGLEV_TABLE_SIZE) {
    this.tableSize = tableSize > 0 ? tableSize : DEFAULT_MAGLEV_TABLE_SIZE;
    // Envoy rejects the cluster: "The table size of maglev must be prime number".
    if (!isPrime(this.tableSize)) throw new RangeError(`The table size of maglev must be prime number (${this.tableSize})`);
  }

  chooseHost(hosts: readonly EndpointState[], attempt: number, hash: bigint): EndpointState | undefined {
    if (this.memo.changed(hosts)) this.table = buildMaglevTable(hosts, this.tableSize);
    return chooseInTable(this.table, hash, attempt);
  }
}

export interface MaglevTable {
  /** Index into `hosts` for each slot. */
  slots: Int32Array;
  hosts: EndpointState[];
}

interface BuildEntry {
  host: EndpointState;
  offset: number;
  skip: number;
  weight: number;
  targetWeight: number;
  next: number;
}

export function buildMaglevTable(hosts: readonly EndpointState[], tableSize: number): MaglevTable {
  if (hosts.length === 0) return { slots: new Int32Array(0), hosts: [] };
  const m = BigInt(tableSize);
  let total = 0;
  for (const h of hosts) total += weightOf(h);
  // A stable (sorted) host order: the fill order decides slot ownership, so the same
  // host set must always build the same table whatever order discovery listed it in.
  const sorted = [...hosts].sort((a, b) => (a.hostKey < b.hostKey ? -1 : a.hostKey > b.hostKey ? 1 : 0));
  const entries: BuildEntry[] = sorted.map((host) => ({
    host,
    offset: Number(xxHash64(host.hostKey) % m),
    skip: Number(xxHash64(host.hostKey, 1n) % (m - 1n)) + 1,
    weight: weightOf(host) / total,
    targetWeight: 0,
    next: 0,
  }));
  let maxWeight = 0;
  for (const e of entries) maxWeight = Math.max(maxWeight, e.weight);

  const slots = new Int32Array(tableSize).fill(-1);
  let filled = 0;
  for (let iteration = 1; filled < tableSize; iteration++) {
    for (let i = 0; i < entries.length && filled < tableSize; i++) {
      const e = entries[i]!;
      // A host of max weight takes a slot every round, one of a third of it every third round.
      if (iteration * e.weight < e.targetWeight) continue;
      e.targetWeight += maxWeight;
      let c = (e.offset + e.skip * e.next) % tableSize;
      while (slots[c] !== -1) {
        e.next++;
        c = (e.offset + e.skip * e.next) % tableSize;
      }
      slots[c] = i;
      e.next++;
      filled++;
    }
  }
  return { slots, hosts: entries.map((e) => e.host) };
}

/**
 * `table[hash mod M]`. On a retry-predicate attempt Envoy flips most bits of the hash
 * (`hash ^= ~0ULL - attempt + 1`) to land far away on the table.
 */
export function chooseInTable(table: MaglevTable, hash: bigint, attempt = 0): EndpointState | undefined {
  const size = table.slots.length;
  if (size === 0) return undefined;
  const h = attempt > 0 ? hash ^ ((MASK64 - BigInt(attempt) + 1n) & MASK64) : hash;
  return table.hosts[table.slots[Number(h % BigInt(size))]!];
}

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}
