import type { Fragment } from "./compile-cache.ts";
import type { Cluster, InboundListener, ProxySnapshot, VirtualHost, WorkloadIdentity } from "./snapshot.ts";

/**
 * One sidecar's compiled config, in the fragments it was assembled from: fragments are
 * shared between sidecars and pushes, so serialising and diffing it costs little.
 */
export interface ProxyConfig {
  workload: WorkloadIdentity;
  virtualHosts: readonly Fragment<VirtualHost>[];
  /** Sorted by name. */
  clusters: readonly Fragment<Cluster>[];
  inbound: Fragment<InboundListener>;
}

/** The snapshot's content, without its version. */
export function proxyConfigBody(c: ProxyConfig): Omit<ProxySnapshot, "version"> {
  const clusters: Record<string, Cluster> = {};
  for (const f of c.clusters) clusters[f.name] = f.value;
  return { workload: c.workload, outbound: { virtualHosts: c.virtualHosts.map((f) => f.value) }, inbound: c.inbound.value, clusters };
}

/**
 * `JSON.stringify({ outbound, inbound, clusters })` of the snapshot, byte for byte, from
 * the fragments' JSON: the workload, which is each sidecar's own, is left to the caller.
 */
export function serializeProxyConfig(c: ProxyConfig): string {
  const clusters = c.clusters.map((f) => `${JSON.stringify(f.name)}:${f.json}`).join(",");
  return `{"outbound":{"virtualHosts":[${c.virtualHosts.map((f) => f.json).join(",")}]},"inbound":${c.inbound.json},"clusters":{${clusters}}}`;
}
