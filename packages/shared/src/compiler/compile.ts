import type { AuthorizationPolicySpec } from "../model/authorization-policy.ts";
import type { DestinationRuleSpec } from "../model/destination-rule.ts";
import type { PeerAuthenticationSpec } from "../model/peer-authentication.ts";
import type { Resource } from "../model/resource.ts";
import type { VirtualServiceSpec } from "../model/virtual-service.ts";
import { compileAuthorization, compileMtls, inboundPorts } from "./inbound.ts";
import { clusterName, compileVirtualHost, destinationRuleFor, parseClusterName, type OutboundContext } from "./outbound.ts";
import type { RegistryService, ServiceRegistry } from "./registry.ts";
import { labelsMatch, ROOT_NAMESPACE } from "./select.ts";
import type { Cluster, Endpoint, ProxySnapshot, WorkloadIdentity } from "./snapshot.ts";
import { compileConnectionPool, compileLoadBalancer, compileOutlierDetection, compileUpstreamTls, effectivePolicy } from "./traffic-policy.ts";

export interface CompileInput {
  /** Istio resources that passed validation; other kinds are ignored. */
  resources: readonly Resource[];
  registry: ServiceRegistry;
  workload: WorkloadIdentity;
  rootNamespace?: string;
}

function ofKind<S>(resources: readonly Resource[], kind: string): Resource<S>[] {
  return resources.filter((r) => r.kind === kind) as Resource<S>[];
}

/**
 * Compiles Istio resources and the service registry into one sidecar's snapshot. Pure:
 * the same input always gives the same snapshot and version.
 */
export function compileSnapshot(input: CompileInput): ProxySnapshot {
  const rootNamespace = input.rootNamespace ?? ROOT_NAMESPACE;
  const { workload, registry } = input;
  const namespaces = new Set<string>([rootNamespace, workload.namespace, ...registry.services.map((s) => s.namespace), ...input.resources.map((r) => r.metadata.namespace)]);
  const isNamespace = (ns: string) => namespaces.has(ns);
  const serviceByHost = new Map(registry.services.map((s) => [s.host, s]));
  const virtualServices = ofKind<VirtualServiceSpec>(input.resources, "VirtualService");
  const destinationRules = ofKind<DestinationRuleSpec>(input.resources, "DestinationRule");
  const ctx: OutboundContext = { services: registry.services, serviceByHost, virtualServices, workload, isNamespace };

  const virtualHosts = registry.services.flatMap((s) => s.ports.map((p) => compileVirtualHost(ctx, s, p)));

  // Every service port gets its default cluster; routes may add subset clusters.
  const wanted = new Set<string>();
  for (const s of registry.services) for (const p of s.ports) wanted.add(clusterName(s.host, p.number));
  for (const vh of virtualHosts) {
    for (const r of vh.routes) {
      if (r.action.type === "route") for (const c of r.action.clusters) wanted.add(c.cluster);
      for (const m of r.mirrors) wanted.add(m.cluster);
    }
    for (const t of vh.tcp ?? []) for (const c of t.clusters) wanted.add(c.cluster);
  }

  const clusters: Record<string, Cluster> = {};
  for (const name of [...wanted].sort()) {
    const parsed = parseClusterName(name)!;
    const service = serviceByHost.get(parsed.host);
    // A destination that is not in the registry still gets a cluster, with no endpoints:
    // requests to it fail with 503 UH, as in Envoy.
    const dr = destinationRuleFor(destinationRules, parsed.host, workload, isNamespace, rootNamespace, service?.namespace ?? workload.namespace);
    clusters[name] = compileCluster(name, parsed, service, dr?.spec, workload.trustDomain);
  }

  const inbound = {
    mtls: compileMtls(ofKind<PeerAuthenticationSpec>(input.resources, "PeerAuthentication"), workload, rootNamespace),
    authorization: compileAuthorization(ofKind<AuthorizationPolicySpec>(input.resources, "AuthorizationPolicy"), workload, rootNamespace),
    ports: inboundPorts(registry.services, workload),
  };
  const body = { workload, outbound: { virtualHosts }, inbound, clusters };
  return { version: contentVersion(body), ...body };
}

function compileCluster(
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

/** FNV-1a over the canonical JSON: a short, stable version that changes with the content. */
export function contentVersion(value: unknown): string {
  const text = JSON.stringify(value);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return ((h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0")).slice(0, 16);
}
