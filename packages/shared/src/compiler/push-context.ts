import type { AuthorizationPolicySpec } from "../model/authorization-policy.ts";
import type { DestinationRuleSpec } from "../model/destination-rule.ts";
import type { PeerAuthenticationSpec } from "../model/peer-authentication.ts";
import type { Resource } from "../model/resource.ts";
import type { VirtualServiceSpec } from "../model/virtual-service.ts";
import { compileCluster } from "./cluster.ts";
import { CompileCache, Fragment } from "./compile-cache.ts";
import { compileAuthorization, compileMtls, inboundPorts } from "./inbound.ts";
import {
  clusterName,
  compileVirtualHost,
  destinationRulesCovering,
  parseClusterName,
  pickDestinationRule,
  sourceLabelKeys,
  virtualServicesCovering,
  type CoveringRule,
  type OutboundContext,
} from "./outbound.ts";
import type { ProxyConfig } from "./proxy-config.ts";
import type { RegistryPort, RegistryService, ServiceRegistry } from "./registry.ts";
import { byPrecedence, ROOT_NAMESPACE } from "./select.ts";
import type { Cluster, VirtualHost, WorkloadIdentity } from "./snapshot.ts";

export interface PushContextInput {
  /** Istio resources that passed validation; other kinds are ignored. */
  resources: readonly Resource[];
  registry: ServiceRegistry;
  rootNamespace?: string;
}

interface CompiledVirtualHost {
  fragment: Fragment<VirtualHost>;
  /** The clusters its routes and mirrors name. */
  clusters: string[];
}

function ofKind<S>(resources: readonly Resource[], kind: string): Resource<S>[] {
  return resources.filter((r) => r.kind === kind) as Resource<S>[];
}

const resourceKey = (r: Resource) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`;

/**
 * The config and registry of one push, indexed once, as Istio's PushContext is: which
 * VirtualServices and DestinationRules cover each host, the namespaces, the label keys
 * any selector reads. Every sidecar's config is compiled from it, out of fragments kept
 * in a CompileCache, so a thousand sidecars neither rescan every resource per host nor
 * rebuild the clusters and virtual hosts they share. Pure: the same inputs always give
 * the same configs.
 */
export class PushContext {
  readonly rootNamespace: string;
  /** The workload label keys some selector reads, sorted: the only labels the compiler looks at. */
  readonly selectorKeys: readonly string[];
  private readonly services: readonly RegistryService[];
  private readonly serviceByHost: ReadonlyMap<string, RegistryService>;
  private readonly namespaces: ReadonlySet<string>;
  /** The namespaces as one string: a fragment that resolved short hosts against other namespaces is stale. */
  private readonly namespaceKey: string;
  private readonly virtualServices: Resource<VirtualServiceSpec>[];
  private readonly destinationRules: Resource<DestinationRuleSpec>[];
  private readonly peerAuthentications: Resource<PeerAuthenticationSpec>[];
  private readonly authorizationPolicies: Resource<AuthorizationPolicySpec>[];
  private readonly virtualServicesByHost = new Map<string, Resource<VirtualServiceSpec>[]>();
  private readonly rulesByHost = new Map<string, CoveringRule[]>();
  private readonly sourceKeys = new Map<Resource<VirtualServiceSpec>, string[]>();
  private readonly withNamespace = new Map<string, PushContext>();

  constructor(
    private readonly input: PushContextInput,
    private readonly cache: CompileCache = new CompileCache(),
    extraNamespace?: string,
  ) {
    this.rootNamespace = input.rootNamespace ?? ROOT_NAMESPACE;
    const { resources, registry } = input;
    this.services = registry.services;
    this.serviceByHost = new Map(registry.services.map((s) => [s.host, s]));
    this.namespaces = new Set([this.rootNamespace, ...registry.services.map((s) => s.namespace), ...resources.map((r) => r.metadata.namespace), ...(extraNamespace ? [extraNamespace] : [])]);
    this.namespaceKey = [...this.namespaces].sort().join(",");
    this.virtualServices = ofKind(resources, "VirtualService");
    this.destinationRules = ofKind(resources, "DestinationRule");
    this.peerAuthentications = ofKind(resources, "PeerAuthentication");
    this.authorizationPolicies = ofKind(resources, "AuthorizationPolicy");
    const keys = new Set<string>();
    const add = (labels: Readonly<Record<string, string>> | undefined) => {
      for (const k of Object.keys(labels ?? {})) keys.add(k);
    };
    for (const dr of this.destinationRules) add(dr.spec.workloadSelector?.matchLabels);
    for (const p of [...this.peerAuthentications, ...this.authorizationPolicies]) add(p.spec.selector?.matchLabels);
    for (const vs of this.virtualServices) for (const k of this.sourceLabelKeysOf(vs)) keys.add(k);
    for (const s of this.services) add(s.selector);
    this.selectorKeys = [...keys].sort();
  }

  private readonly isNamespace = (ns: string) => this.namespaces.has(ns);

  /**
   * What the compiler reads of a workload, as a string: two workloads with the same key
   * get the same config, but for the identity copied into it. Labels no selector reads
   * (a pod hash, `version` when nothing selects on it) do not split them.
   */
  proxyKey(workload: Pick<WorkloadIdentity, "namespace" | "labels" | "trustDomain">): string {
    const labels: [string, string][] = [];
    for (const k of this.selectorKeys) if (Object.hasOwn(workload.labels, k)) labels.push([k, workload.labels[k]!]);
    return JSON.stringify([workload.namespace, workload.trustDomain, labels]);
  }

  /** One sidecar's config. */
  compile(workload: WorkloadIdentity): ProxyConfig {
    // The workload's own namespace is known to it even when nothing else lives there.
    if (!this.namespaces.has(workload.namespace)) return this.including(workload.namespace).compile(workload);
    const ctx: OutboundContext = { services: this.services, serviceByHost: this.serviceByHost, virtualServices: this.virtualServices, workload, isNamespace: this.isNamespace };
    // Every service port gets its default cluster; routes may add subset clusters.
    const wanted = new Set<string>();
    for (const s of this.services) for (const p of s.ports) wanted.add(clusterName(s.host, p.number));
    const virtualHosts: Fragment<VirtualHost>[] = [];
    for (const s of this.services) {
      const vs = this.virtualServiceFor(s, workload.namespace);
      for (const p of s.ports) {
        const vh = this.virtualHost(ctx, s, p, vs);
        virtualHosts.push(vh.fragment);
        for (const c of vh.clusters) wanted.add(c);
      }
    }
    const clusters = [...wanted].sort().map((name) => this.cluster(name, workload));
    const inbound = {
      mtls: compileMtls(this.peerAuthentications, workload, this.rootNamespace),
      authorization: compileAuthorization(this.authorizationPolicies, workload, this.rootNamespace),
      ports: inboundPorts(this.services, workload),
    };
    return { workload, virtualHosts, clusters, inbound: new Fragment("inbound", inbound) };
  }

  private including(namespace: string): PushContext {
    let ctx = this.withNamespace.get(namespace);
    if (!ctx) {
      ctx = new PushContext(this.input, this.cache, namespace);
      this.withNamespace.set(namespace, ctx);
    }
    return ctx;
  }

  private virtualServiceFor(service: RegistryService, callerNamespace: string): Resource<VirtualServiceSpec> | undefined {
    let covering = this.virtualServicesByHost.get(service.host);
    if (!covering) {
      covering = virtualServicesCovering(this.virtualServices, service.host, this.isNamespace);
      this.virtualServicesByHost.set(service.host, covering);
    }
    return covering.length <= 1 ? covering[0] : byPrecedence(covering, callerNamespace, service.namespace)[0];
  }

  private sourceLabelKeysOf(vs: Resource<VirtualServiceSpec>): string[] {
    let keys = this.sourceKeys.get(vs);
    if (!keys) {
      keys = sourceLabelKeys(vs);
      this.sourceKeys.set(vs, keys);
    }
    return keys;
  }

  /**
   * A virtual host depends on the caller only through its namespace (short-name domains,
   * which VirtualService wins, sourceNamespace) and the labels its VirtualService's
   * sourceLabels read: callers alike in those share it.
   */
  private virtualHost(ctx: OutboundContext, service: RegistryService, port: RegistryPort, vs: Resource<VirtualServiceSpec> | undefined): CompiledVirtualHost {
    const { workload } = ctx;
    const labels = vs ? this.sourceLabelKeysOf(vs).map((k) => (Object.hasOwn(workload.labels, k) ? `${k}=${workload.labels[k]}` : `!${k}`)) : [];
    const key = JSON.stringify(["vh", workload.namespace, service.host, port.number, vs ? resourceKey(vs) : "", labels]);
    return this.cache.get(key, [this.services, service, vs, this.namespaceKey], () => {
      const vh = compileVirtualHost(ctx, service, port, vs);
      const clusters = new Set<string>();
      for (const r of vh.routes) {
        if (r.action.type === "route") for (const c of r.action.clusters) clusters.add(c.cluster);
        for (const m of r.mirrors) clusters.add(m.cluster);
      }
      for (const t of vh.tcp ?? []) for (const c of t.clusters) clusters.add(c.cluster);
      return { fragment: new Fragment(vh.name, vh), clusters: [...clusters] };
    });
  }

  /** A cluster depends on the caller only through the DestinationRule in force for it: callers under the same rule share it. */
  private cluster(name: string, workload: WorkloadIdentity): Fragment<Cluster> {
    const parsed = parseClusterName(name)!;
    const service = this.serviceByHost.get(parsed.host);
    let covering = this.rulesByHost.get(parsed.host);
    if (!covering) {
      covering = destinationRulesCovering(this.destinationRules, parsed.host, this.isNamespace);
      this.rulesByHost.set(parsed.host, covering);
    }
    // A destination that is not in the registry still gets a cluster, with no endpoints:
    // requests to it fail with 503 UH, as in Envoy.
    const dr = covering.length === 0 ? undefined : pickDestinationRule(covering, workload, this.rootNamespace, service?.namespace ?? workload.namespace);
    const key = JSON.stringify(["cluster", name, dr ? resourceKey(dr) : "", workload.trustDomain]);
    return this.cache.get(key, [service, dr], () => new Fragment(name, compileCluster(name, parsed, service, dr?.spec, workload.trustDomain)));
  }
}
