import type { Fragment } from "./compile-cache.ts";
import type { ProxyConfig } from "./proxy-config.ts";
import type { Cluster, InboundListener, ProxySnapshot, VirtualHost } from "./snapshot.ts";

/**
 * What changed between two snapshots of one sidecar, after xDS's incremental (delta)
 * variant: the virtual hosts and clusters added or changed, the clusters removed, and the
 * inbound listener when it changed. A mesh-wide change to one service's VirtualService or
 * DestinationRule is then a few KiB per sidecar instead of the whole snapshot.
 */
export interface SnapshotDelta {
  /** Every virtual host's name, in order; present only when hosts were added, removed or reordered. */
  virtualHostNames?: string[];
  /** Virtual hosts added or changed. */
  virtualHosts: VirtualHost[];
  /** Clusters added or changed. */
  clusters: Record<string, Cluster>;
  removedClusters: string[];
  inbound?: InboundListener;
}

/**
 * The delta from one config to the next as JSON (a SnapshotDelta), built from the
 * fragments' JSON; undefined when only a full snapshot can express the change (two
 * virtual hosts of one name).
 */
export function serializeSnapshotDelta(from: ProxyConfig, to: ProxyConfig): string | undefined {
  const fromHosts = byName(from.virtualHosts);
  const toHosts = byName(to.virtualHosts);
  if (!fromHosts || !toHosts) return undefined;
  const sameHosts = from.virtualHosts.length === to.virtualHosts.length && to.virtualHosts.every((f, i) => from.virtualHosts[i]!.name === f.name);
  const hosts = to.virtualHosts.filter((f) => changed(fromHosts.get(f.name), f));
  const fromClusters = byName(from.clusters)!;
  const toClusters = new Set(to.clusters.map((f) => f.name));
  const clusters = to.clusters.filter((f) => changed(fromClusters.get(f.name), f));
  const removed = from.clusters.filter((f) => !toClusters.has(f.name)).map((f) => f.name);
  const parts = [
    ...(sameHosts ? [] : [`"virtualHostNames":${JSON.stringify(to.virtualHosts.map((f) => f.name))}`]),
    `"virtualHosts":[${hosts.map((f) => f.json).join(",")}]`,
    `"clusters":{${clusters.map((f) => `${JSON.stringify(f.name)}:${f.json}`).join(",")}}`,
    `"removedClusters":${JSON.stringify(removed)}`,
    ...(changed(from.inbound, to.inbound) ? [`"inbound":${to.inbound.json}`] : []),
  ];
  return `{${parts.join(",")}}`;
}

/**
 * The snapshot `delta` makes of `base`, as version `version`. Unchanged virtual hosts and
 * clusters are the base's own objects. Throws when the delta does not fit the base.
 */
export function applySnapshotDelta(base: ProxySnapshot, version: string, delta: SnapshotDelta): ProxySnapshot {
  const previous = new Map(base.outbound.virtualHosts.map((vh) => [vh.name, vh]));
  const updated = new Map(delta.virtualHosts.map((vh) => [vh.name, vh]));
  const names = delta.virtualHostNames ?? base.outbound.virtualHosts.map((vh) => vh.name);
  const listed = new Set(names);
  for (const name of updated.keys()) if (!listed.has(name)) throw new Error(`the delta changes virtual host ${name} but does not list it`);
  const virtualHosts = names.map((name) => {
    const vh = updated.get(name) ?? previous.get(name);
    if (!vh) throw new Error(`the delta lists virtual host ${name}, which neither it nor snapshot ${base.version} holds`);
    return vh;
  });
  const removed = new Set(delta.removedClusters);
  for (const name of removed) if (!Object.hasOwn(base.clusters, name)) throw new Error(`the delta removes cluster ${name}, which snapshot ${base.version} does not hold`);
  const clusterNames = new Set([...Object.keys(base.clusters).filter((n) => !removed.has(n)), ...Object.keys(delta.clusters)]);
  const clusters: Record<string, Cluster> = {};
  // The compiler writes clusters sorted by name; so does this, so the result is the same snapshot.
  for (const name of [...clusterNames].sort()) clusters[name] = Object.hasOwn(delta.clusters, name) ? delta.clusters[name]! : base.clusters[name]!;
  return { version, workload: base.workload, outbound: { virtualHosts }, inbound: delta.inbound ?? base.inbound, clusters };
}

function byName<T>(fragments: readonly Fragment<T>[]): Map<string, Fragment<T>> | undefined {
  const out = new Map<string, Fragment<T>>();
  for (const f of fragments) {
    if (out.has(f.name)) return undefined;
    out.set(f.name, f);
  }
  return out;
}

/** Fragments shared between pushes are the same object; others are compared by their JSON. */
function changed<T>(before: Fragment<T> | undefined, after: Fragment<T>): boolean {
  return before === undefined || (before !== after && before.json !== after.json);
}
