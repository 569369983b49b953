import type { DestinationRuleSpec } from "../model/destination-rule.ts";
import type { RegistryService } from "./registry.ts";
import { labelsMatch } from "./select.ts";
import type { Cluster, Endpoint } from "./snapshot.ts";
import { compileConnectionPool, compileLoadBalancer, compileOutlierDetection, compileUpstreamTls, effectivePolicy } from "./traffic-policy.ts";

/**
 * One outbound cluster: the service's endpoints (those of the subset, when it names one)
 * and the upstream policy of the DestinationRule in force for the caller. It reads
 * nothing of the caller but which rule applies, so callers under the same rule share it.
 */
export function compileCluster(
  name: string,
  parsed: { host: string; port: number; subset: string },
  service: RegistryService | undefined,
  dr: DestinationRuleSpec | undefined,
  trustDomain: string,
): Cluster {
  const subset = parsed.subset ? dr?.subsets?.find((s) => s.name === parsed.subset) : undefined;
  const policy = effectivePolicy(dr, subset, parsed.port);
  const port = service?.ports.find((p) => p.number === parsed.port);
  // A subset the DestinationRule does not define selects nothing (Envoy: no healthy upstream).
  const subsetMissing = parsed.subset !== "" && subset === undefined;
  const endpoints: Endpoint[] = subsetMissing
    ? []
    : (service?.endpoints ?? [])
        .filter((e) => labelsMatch(subset?.labels, e.labels))
        .map((e) => ({
          address: e.address,
          port: (port && e.ports[port.name]) ?? port?.targetPort ?? parsed.port,
          sidecar: e.sidecar && !service!.external,
          labels: e.labels,
          weight: e.weight,
          ...(e.workload !== undefined ? { workload: e.workload } : {}),
          ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
          ...(e.serviceAccount !== undefined ? { serviceAccount: e.serviceAccount } : {}),
        }));
  const spiffeIds = [...new Set(endpoints.filter((e) => e.serviceAccount).map((e) => `spiffe://${trustDomain}/ns/${e.namespace ?? service!.namespace}/sa/${e.serviceAccount}`))].sort();
  const outlier = compileOutlierDetection(policy.outlierDetection);
  return {
    name,
    host: parsed.host,
    port: parsed.port,
    ...(parsed.subset ? { subset: parsed.subset } : {}),
    protocol: port?.protocol ?? "http",
    lb: compileLoadBalancer(policy.loadBalancer),
    connectionPool: compileConnectionPool(policy.connectionPool),
    ...(outlier ? { outlierDetection: outlier } : {}),
    tls: compileUpstreamTls(policy.tls, spiffeIds),
    endpoints,
    service: { name: service?.name ?? parsed.host.split(".")[0]!, namespace: service?.namespace ?? "unknown" },
  };
}
