import { renderYaml, type DestinationRuleSpec, type StoredResource, type VirtualServiceSpec, type Workload } from "@skein/shared/browser";

/**
 * What the wizards start from for one service: its VirtualService and DestinationRule as
 * stored (with their resourceVersion, so a concurrent edit turns an apply into a 409),
 * and the versions its workloads run.
 */
export interface ServiceTarget {
  namespace: string;
  service: string;
}

export interface Body<Spec> {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Spec;
}

export type VirtualServiceBody = Body<VirtualServiceSpec>;
export type DestinationRuleBody = Body<DestinationRuleSpec>;
export type HttpRoute = NonNullable<VirtualServiceSpec["http"]>[number];
export type RouteDestination = NonNullable<HttpRoute["route"]>[number];
export type Subset = NonNullable<DestinationRuleSpec["subsets"]>[number];

export interface ServiceConfig {
  target: ServiceTarget;
  virtualService?: VirtualServiceBody;
  destinationRule?: DestinationRuleBody;
  /** `version` labels of the service's workloads, sorted. */
  versions: string[];
}

const NETWORKING = "networking.istio.io/v1";
const CLUSTER_DOMAIN = "cluster.local";

/**
 * The fully qualified name a host of a resource in `namespace` stands for: a short name is
 * the Service of that namespace, and like Kiali we read "name.ns" and "name.ns.svc" as the
 * Service "name" of namespace "ns".
 */
export function hostFqdn(host: string, namespace: string): string {
  const h = host.toLowerCase().replace(/\.$/, "");
  const labels = h.split(".");
  if (labels.length === 1) return `${h}.${namespace}.svc.${CLUSTER_DOMAIN}`;
  if (labels.length === 2) return `${h}.svc.${CLUSTER_DOMAIN}`;
  if (labels.length === 3 && labels[2] === "svc") return `${h}.${CLUSTER_DOMAIN}`;
  return h;
}

export function serviceFqdn(t: ServiceTarget): string {
  return `${t.service}.${t.namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** A stored resource without the server's bookkeeping, keeping the version it was read at. */
export function editableBody<Spec>(r: StoredResource): Body<Spec> {
  const m = r.metadata;
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    metadata: {
      name: m.name,
      namespace: m.namespace,
      resourceVersion: m.resourceVersion,
      ...(m.labels ? { labels: m.labels } : {}),
      ...(m.annotations ? { annotations: m.annotations } : {}),
    },
    spec: structuredClone(r.spec) as Spec,
  };
}

/** Sidecar routing applies to VirtualServices bound to no gateway, or to the "mesh" one. */
function appliesToMesh(spec: VirtualServiceSpec): boolean {
  return !spec.gateways || spec.gateways.length === 0 || spec.gateways.includes("mesh");
}

/** The resources named after the service win over others that also cover it. */
function preferNamed<T extends StoredResource>(list: T[], name: string): T | undefined {
  return list.find((r) => r.metadata.name === name) ?? list[0];
}

export function serviceConfigOf(target: ServiceTarget, resources: readonly StoredResource[], workloads: readonly Workload[]): ServiceConfig {
  const fqdn = serviceFqdn(target);
  const inNamespace = resources.filter((r) => r.metadata.namespace === target.namespace);
  const vs = preferNamed(
    inNamespace.filter((r) => {
      if (r.kind !== "VirtualService") return false;
      const spec = r.spec as VirtualServiceSpec;
      return appliesToMesh(spec) && (spec.hosts ?? []).some((h) => hostFqdn(h, target.namespace) === fqdn);
    }),
    target.service,
  );
  const dr = preferNamed(
    inNamespace.filter((r) => r.kind === "DestinationRule" && hostFqdn((r.spec as DestinationRuleSpec).host, target.namespace) === fqdn),
    target.service,
  );
  const versions = [
    ...new Set(workloads.filter((w) => w.namespace === target.namespace && w.service?.name === target.service && w.labels.version).map((w) => w.labels.version!)),
  ].sort();
  return {
    target,
    ...(vs ? { virtualService: editableBody<VirtualServiceSpec>(vs) } : {}),
    ...(dr ? { destinationRule: editableBody<DestinationRuleSpec>(dr) } : {}),
    versions,
  };
}

/** `namespace/service`: how pickers and links name a service. */
export function serviceKey(t: ServiceTarget): string {
  return `${t.namespace}/${t.service}`;
}

/** Services that workloads register, as `namespace/service`, sorted. */
export function servicesOf(workloads: readonly Workload[]): ServiceTarget[] {
  const seen = new Map<string, ServiceTarget>();
  for (const w of workloads) if (w.service) seen.set(serviceKey({ namespace: w.namespace, service: w.service.name }), { namespace: w.namespace, service: w.service.name });
  return [...seen.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.service.localeCompare(b.service));
}

/** How destinations of this service are written in its VirtualService: as they already are, else the short name. */
export function destinationHost(cfg: ServiceConfig): string {
  const fqdn = serviceFqdn(cfg.target);
  for (const route of cfg.virtualService?.spec.http ?? []) {
    for (const d of route.route ?? []) if (d.destination && hostFqdn(d.destination.host, cfg.target.namespace) === fqdn) return d.destination.host;
  }
  return cfg.target.service;
}

/**
 * The route that catches what no other route matches: the last one without a match.
 * Istio tries routes in order, so it must stay last; -1 when there is none.
 */
export function defaultRouteIndex(http: readonly HttpRoute[]): number {
  for (let i = http.length - 1; i >= 0; i--) {
    const m = http[i]!.match;
    if (!m || m.length === 0) return i;
  }
  return -1;
}

/** The VirtualService to change: the stored one (a copy), or a new one for the service. */
export function virtualServiceToEdit(cfg: ServiceConfig): VirtualServiceBody {
  if (cfg.virtualService) return structuredClone(cfg.virtualService);
  return { apiVersion: NETWORKING, kind: "VirtualService", metadata: { name: cfg.target.service, namespace: cfg.target.namespace }, spec: { hosts: [cfg.target.service] } };
}

export function destinationRuleToEdit(cfg: ServiceConfig): DestinationRuleBody {
  if (cfg.destinationRule) return structuredClone(cfg.destinationRule);
  return { apiVersion: NETWORKING, kind: "DestinationRule", metadata: { name: cfg.target.service, namespace: cfg.target.namespace }, spec: { host: cfg.target.service } };
}

/**
 * The VirtualService's routes with a default route guaranteed, and its index. A new default
 * route sends everything to the service.
 */
export function withDefaultRoute(cfg: ServiceConfig, vs: VirtualServiceBody): { http: HttpRoute[]; index: number } {
  const http = vs.spec.http ? [...vs.spec.http] : [];
  let index = defaultRouteIndex(http);
  if (index < 0) {
    http.push({ route: [{ destination: { host: destinationHost(cfg) } }] } as HttpRoute);
    index = http.length - 1;
  }
  return { http, index };
}

/**
 * Drops keys whose value is undefined or an empty object, recursively, so YAML shows no
 * `{}`. Used only on the parts a wizard writes, so nothing else an author wrote changes.
 */
export function pruneEmpty<T>(value: T): T {
  if (Array.isArray(value)) return value.map(pruneEmpty) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = pruneEmpty(v);
    if (p === undefined) continue;
    if (p !== null && typeof p === "object" && !Array.isArray(p) && Object.keys(p).length === 0) continue;
    out[k] = p;
  }
  return out as T;
}

/** The documents of one apply as a YAML stream. */
export function renderDocuments(bodies: readonly Body<unknown>[]): string {
  return bodies.map((b) => renderYaml(b)).join("---\n");
}

/** A copy with `key` set, or removed when `value` is undefined; the other keys keep their order. */
export function withField<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): T {
  const out = { ...obj };
  if (value === undefined) delete out[key];
  else out[key] = value;
  return out;
}

/** The subsets a wizard offers: the DestinationRule's, else the versions the workloads run. */
export function subsetsOf(cfg: ServiceConfig): string[] {
  const declared = (cfg.destinationRule?.spec.subsets ?? []).map((s) => s.name);
  return declared.length > 0 ? declared : cfg.versions;
}

/** The DestinationRule with a subset for each name it lacks (selecting `version: <name>`), or undefined when none is missing. */
export function withSubsets(cfg: ServiceConfig, names: readonly string[]): DestinationRuleBody | undefined {
  const have = new Set((cfg.destinationRule?.spec.subsets ?? []).map((s) => s.name));
  const missing = [...new Set(names)].filter((n) => n && !have.has(n));
  if (missing.length === 0) return undefined;
  const dr = destinationRuleToEdit(cfg);
  const added: Subset[] = missing.map((name) => ({ name, labels: { version: name } }));
  dr.spec = { ...dr.spec, subsets: [...(dr.spec.subsets ?? []), ...added] };
  return dr;
}
