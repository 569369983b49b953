import {
  compileSnapshot,
  destinationRuleFor,
  registryFromWorkloads,
  ROOT_NAMESPACE,
  type DestinationRuleSpec,
  type ProxySnapshot,
  type Resource,
  type ServiceRegistry,
  type Workload,
  type WorkloadIdentity,
} from "@skein/shared/browser";

export interface MeshState {
  /** The Istio resources in force (the control plane's store). */
  resources: readonly Resource[];
  /** The registered workloads (GET /api/v1/workloads). */
  workloads: readonly Workload[];
  trustDomain: string;
  clusterDomain?: string;
  rootNamespace?: string;
}

/** A request the tester cannot evaluate (unknown source workload, empty host). */
export class RouteTestInputError extends Error {}

/** The control plane's view of the mesh for one evaluation: the registry, and each sidecar's snapshot compiled once. */
export class MeshCompiler {
  readonly registry: ServiceRegistry;
  readonly rootNamespace: string;
  private readonly snapshots = new Map<string, ProxySnapshot>();
  private readonly namespaces: Set<string>;

  constructor(readonly mesh: MeshState) {
    this.registry = registryFromWorkloads(mesh.workloads, mesh.clusterDomain);
    this.rootNamespace = mesh.rootNamespace ?? ROOT_NAMESPACE;
    // The namespaces the compiler knows of, for resolving short host names; the caller's own is added per caller.
    this.namespaces = new Set([this.rootNamespace, ...this.registry.services.map((s) => s.namespace), ...mesh.resources.map((r) => r.metadata.namespace)]);
  }

  identity(w: Workload): WorkloadIdentity {
    return { name: w.name, namespace: w.namespace, serviceAccount: w.serviceAccount, labels: w.labels, trustDomain: this.mesh.trustDomain, spiffeId: `spiffe://${this.mesh.trustDomain}/ns/${w.namespace}/sa/${w.serviceAccount}` };
  }

  /** The snapshot the control plane compiles for this workload's sidecar. */
  snapshot(w: Workload): ProxySnapshot {
    const key = `${w.namespace}/${w.name}`;
    let s = this.snapshots.get(key);
    if (!s) {
      s = compileSnapshot({ resources: this.mesh.resources, registry: this.registry, workload: this.identity(w), rootNamespace: this.rootNamespace });
      this.snapshots.set(key, s);
    }
    return s;
  }

  workload(namespace: string | undefined, name: string | undefined): Workload | undefined {
    return this.mesh.workloads.find((w) => w.namespace === namespace && w.name === name);
  }

  destinationRule(host: string, caller: WorkloadIdentity): Resource<DestinationRuleSpec> | undefined {
    const rules = this.mesh.resources.filter((r): r is Resource<DestinationRuleSpec> => r.kind === "DestinationRule");
    const service = this.registry.services.find((s) => s.host === host);
    return destinationRuleFor(rules, host, caller, (ns) => ns === caller.namespace || this.namespaces.has(ns), this.rootNamespace, service?.namespace ?? caller.namespace);
  }
}

