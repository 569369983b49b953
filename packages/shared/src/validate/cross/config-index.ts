import type { AuthorizationPolicySpec } from "../../model/authorization-policy.ts";
import type { DestinationRuleSpec } from "../../model/destination-rule.ts";
import type { GatewaySpec } from "../../model/gateway.ts";
import { podOf, serviceOf } from "../../model/k8s.ts";
import type { PeerAuthenticationSpec } from "../../model/peer-authentication.ts";
import type { RequestAuthenticationSpec } from "../../model/request-authentication.ts";
import type { ServiceEntrySpec } from "../../model/service-entry.ts";
import type { VirtualServiceSpec } from "../../model/virtual-service.ts";
import type { LoadedResource } from "../load.ts";
import { hostLookupKeys, resolveHost } from "../../mesh/hosts.ts";
import { asRecord, asStringMap, type Labels } from "./labels.ts";
import { WorkloadIndex, workloadLabel, type Workload } from "./workloads.ts";

/** Kinds without a namespace of their own (the loader gives them the default one). */
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding"]);

/** An Istio resource that passed its schema, with its spec typed by the model. */
export interface IstioObject<Spec> {
  loaded: LoadedResource;
  name: string;
  namespace: string;
  spec: Spec;
}

/** How messages name a resource: "DestinationRule default/reviews". */
export function labelOf(o: IstioObject<unknown>): string {
  return `${o.loaded.resource.kind} ${o.namespace}/${o.name}`;
}

/** A resource that is about one host (a DestinationRule), with that host fully qualified. */
export type HostRule<Spec> = IstioObject<Spec> & { host: string };

/** Something that answers for a host: a Kubernetes Service or a ServiceEntry. */
export interface ServiceRecord {
  host: string;
  namespace: string;
  kind: "Service" | "ServiceEntry";
  /** The Service's pod selector, or the ServiceEntry's workloadSelector. */
  selector?: Labels;
  /** A ServiceEntry's inline endpoints. */
  endpoints: { labels: Labels; description: string }[];
}

/** One thing traffic for a host can land on, with the labels a subset selects by. */
export type Endpoint = { labels: Labels; workload: Workload } | { labels: Labels; description: string };

/** How messages name an endpoint; built only when a message needs it. */
export function describeEndpoint(e: Endpoint): string {
  return "workload" in e ? workloadLabel(e.workload) : e.description;
}

/**
 * Everything the cross-resource checks look things up in, built once per validation so
 * that every check is a walk over its own resources plus map look-ups (10,000 resources
 * must validate in well under a second).
 */
export class ConfigIndex {
  readonly namespaces = new Set<string>();
  /** "namespace/name" of every service account the input shows to exist. */
  readonly serviceAccounts = new Set<string>();
  readonly workloads: WorkloadIndex;
  readonly virtualServices: IstioObject<VirtualServiceSpec>[] = [];
  readonly destinationRules: HostRule<DestinationRuleSpec>[] = [];
  readonly gateways: IstioObject<GatewaySpec>[] = [];
  readonly serviceEntries: IstioObject<ServiceEntrySpec>[] = [];
  readonly peerAuthentications: IstioObject<PeerAuthenticationSpec>[] = [];
  readonly authorizationPolicies: IstioObject<AuthorizationPolicySpec>[] = [];
  readonly requestAuthentications: IstioObject<RequestAuthenticationSpec>[] = [];
  /** Istio kinds accepted but not modelled (Sidecar, EnvoyFilter, ...), raw. */
  readonly unmodelled: LoadedResource[] = [];
  /** Gateways by "namespace/name". */
  readonly gatewayByName = new Map<string, IstioObject<GatewaySpec>>();
  /** DestinationRules by their fully qualified (possibly wildcard) host. */
  readonly destinationRulesByHost = new Map<string, HostRule<DestinationRuleSpec>[]>();
  private readonly services = new Map<string, ServiceRecord[]>();
  /** Whether any rule or service has a wildcard host; without one, look-ups need only the exact host. */
  private wildcardRules = false;
  private wildcardServices = false;
  private readonly endpointCache = new Map<string, Endpoint[]>();

  constructor(resources: readonly LoadedResource[]) {
    const workloads: Workload[] = [];
    const kubernetesServices: LoadedResource[] = [];
    // Hosts are resolved after this pass: "reviews.prod" depends on knowing that prod is a namespace.
    for (const l of resources) {
      const r = l.resource;
      const ns = r.metadata.namespace;
      if (!CLUSTER_SCOPED.has(r.kind)) this.namespaces.add(ns);
      if (l.family === "kubernetes") {
        if (r.kind === "Namespace") this.namespaces.add(r.metadata.name);
        else if (r.kind === "ServiceAccount") this.serviceAccounts.add(`${ns}/${r.metadata.name}`);
        else if (r.kind === "Service") kubernetesServices.push(l);
        else {
          const pod = podOf(r.kind, l.raw);
          if (pod) workloads.push({ kind: r.kind, name: r.metadata.name, namespace: ns, labels: pod.labels, serviceAccount: pod.serviceAccount, loaded: l });
        }
      } else if (l.family === "unmodelled") {
        if (r.kind === "WorkloadEntry") workloads.push(workloadEntry(l));
        else this.unmodelled.push(l);
      } else {
        this.addIstio(l);
      }
    }
    // Kubernetes creates "default" in every namespace, and a running pod proves its account.
    for (const ns of this.namespaces) this.serviceAccounts.add(`${ns}/default`);
    for (const w of workloads) this.serviceAccounts.add(`${w.namespace}/${w.serviceAccount}`);
    this.workloads = new WorkloadIndex(workloads);

    for (const l of kubernetesServices) {
      const ns = l.resource.metadata.namespace;
      const name = l.resource.metadata.name;
      const svc = serviceOf(l.raw);
      // A Service without a selector has hand-made endpoints, not pods.
      const selector = Object.keys(svc.selector).length > 0 ? svc.selector : undefined;
      this.addService({ host: `${name}.${ns}.svc.cluster.local`, namespace: ns, kind: "Service", ...(selector ? { selector } : {}), endpoints: [] });
    }
    for (const se of this.serviceEntries) this.addServiceEntry(se);
    for (const dr of this.destinationRules) {
      dr.host = this.resolve(dr.spec.host, dr.namespace);
      if (dr.host.startsWith("*")) this.wildcardRules = true;
      push(this.destinationRulesByHost, dr.host, dr);
    }
  }

  /** The fully qualified name of `host` as written in a resource of `namespace`. */
  resolve(host: string, namespace: string): string {
    return resolveHost(host, namespace, (ns) => this.namespaces.has(ns));
  }

  /** Services and ServiceEntries filed under exactly this host. */
  servicesAt(host: string): readonly ServiceRecord[] {
    return this.services.get(host) ?? [];
  }

  /** Whether some Service or ServiceEntry (a wildcard one included) answers for `host`. */
  knowsHost(host: string): boolean {
    if (this.services.has(host)) return true;
    return this.wildcardServices && hostLookupKeys(host).some((k) => this.services.has(k));
  }

  /** The keys a rule for `host` may be filed under (see hostLookupKeys), skipping wildcards when there are none. */
  ruleKeys(host: string): string[] {
    return this.wildcardRules ? hostLookupKeys(host) : [host];
  }

  /**
   * What traffic for `host` can land on: pods the Service selects in its namespace, pods
   * and WorkloadEntries a ServiceEntry's workloadSelector picks, and its labelled endpoints.
   */
  endpointsBehind(host: string): readonly Endpoint[] {
    const cached = this.endpointCache.get(host);
    if (cached) return cached;
    const out: Endpoint[] = [];
    for (const s of this.servicesAt(host)) {
      if (s.selector) {
        for (const w of this.workloads.matching(s.selector, s.namespace)) out.push({ labels: w.labels, workload: w });
      }
      for (const e of s.endpoints) out.push(e);
    }
    this.endpointCache.set(host, out);
    return out;
  }

  private addIstio(l: LoadedResource): void {
    const r = l.resource;
    const name = r.metadata.name;
    const namespace = r.metadata.namespace;
    switch (r.kind) {
      case "VirtualService":
        this.virtualServices.push({ loaded: l, name, namespace, spec: r.spec as VirtualServiceSpec });
        break;
      case "DestinationRule":
        // The host is resolved once every namespace is known (see the constructor).
        this.destinationRules.push({ loaded: l, name, namespace, spec: r.spec as DestinationRuleSpec, host: "" });
        break;
      case "Gateway": {
        const gw = { loaded: l, name, namespace, spec: r.spec as GatewaySpec };
        this.gateways.push(gw);
        this.gatewayByName.set(`${namespace}/${name}`, gw);
        break;
      }
      case "ServiceEntry":
        this.serviceEntries.push({ loaded: l, name, namespace, spec: r.spec as ServiceEntrySpec });
        break;
      case "PeerAuthentication":
        this.peerAuthentications.push({ loaded: l, name, namespace, spec: r.spec as PeerAuthenticationSpec });
        break;
      case "AuthorizationPolicy":
        this.authorizationPolicies.push({ loaded: l, name, namespace, spec: r.spec as AuthorizationPolicySpec });
        break;
      case "RequestAuthentication":
        this.requestAuthentications.push({ loaded: l, name, namespace, spec: r.spec as RequestAuthenticationSpec });
        break;
    }
  }

  private addServiceEntry(se: IstioObject<ServiceEntrySpec>): void {
    const selector = se.spec.workloadSelector?.labels;
    const endpoints = (se.spec.endpoints ?? []).map((e) => ({ labels: e.labels ?? {}, description: `endpoint ${e.address ?? "(no address)"} of ${labelOf(se)}` }));
    for (const written of se.spec.hosts) {
      const record: ServiceRecord = {
        host: "",
        namespace: se.namespace,
        kind: "ServiceEntry",
        ...(selector && Object.keys(selector).length > 0 ? { selector } : {}),
        endpoints,
      };
      // Istio files a ServiceEntry host as written; a short one is also filed under its
      // expansion so that a destination "mydb" beside a ServiceEntry for "mydb" is found.
      const literal = written.toLowerCase();
      const resolved = this.resolve(written, se.namespace);
      this.addService({ ...record, host: resolved });
      if (literal !== resolved) this.addService({ ...record, host: literal });
    }
  }

  private addService(record: ServiceRecord): void {
    if (record.host.startsWith("*")) this.wildcardServices = true;
    push(this.services, record.host, record);
  }
}

function workloadEntry(l: LoadedResource): Workload {
  const spec = asRecord(l.raw.spec);
  const sa = spec?.serviceAccount;
  const r = l.resource;
  return {
    kind: r.kind,
    name: r.metadata.name,
    namespace: r.metadata.namespace,
    labels: asStringMap(spec?.labels),
    serviceAccount: typeof sa === "string" && sa !== "" ? sa : "default",
    loaded: l,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
