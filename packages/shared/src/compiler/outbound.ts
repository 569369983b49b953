import type { Destination } from "../model/destination.ts";
import type { DestinationRuleSpec } from "../model/destination-rule.ts";
import type { Resource } from "../model/resource.ts";
import type { VirtualServiceSpec } from "../model/virtual-service.ts";
import { resolveHost } from "../mesh/hosts.ts";
import type { RegistryPort, RegistryService } from "./registry.ts";
import { compileHttpRoute, DEFAULT_RETRY, type RouteSource } from "./routes.ts";
import { byPrecedence, labelsMatch } from "./select.ts";
import type { Route, TcpRoute, VirtualHost, WorkloadIdentity } from "./snapshot.ts";

/** Istio's cluster name: `outbound|<port>|<subset>|<host>`. */
export function clusterName(host: string, port: number, subset = ""): string {
  return `outbound|${port}|${subset}|${host}`;
}

export function parseClusterName(name: string): { host: string; port: number; subset: string } | undefined {
  const [dir, port, subset, host] = name.split("|");
  if (dir !== "outbound" || !host || !port) return undefined;
  return { host, port: Number(port), subset: subset ?? "" };
}

/** Every way a caller in `callerNamespace` may name the service in a Host header. */
export function domainsFor(service: RegistryService, port: number, callerNamespace: string): string[] {
  const names = [service.host];
  const k8s = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(service.host);
  if (k8s) {
    const [, name, ns] = k8s;
    names.push(`${name}.${ns}`, `${name}.${ns}.svc`);
    if (ns === callerNamespace) names.push(name!);
  }
  return names.flatMap((n) => [n, `${n}:${port}`]);
}

export interface OutboundContext {
  services: readonly RegistryService[];
  serviceByHost: ReadonlyMap<string, RegistryService>;
  virtualServices: readonly Resource<VirtualServiceSpec>[];
  workload: WorkloadIdentity;
  isNamespace: (ns: string) => boolean;
}

/** The VirtualServices bound to the mesh whose hosts cover `host`, whoever asks. */
export function virtualServicesCovering(virtualServices: readonly Resource<VirtualServiceSpec>[], host: string, isNamespace: (ns: string) => boolean): Resource<VirtualServiceSpec>[] {
  return virtualServices.filter((vs) => {
    const gateways = vs.spec.gateways ?? [];
    if (gateways.length > 0 && !gateways.includes("mesh")) return false;
    return (vs.spec.hosts ?? []).some((h) => hostCovers(resolveHost(h, vs.metadata.namespace, isNamespace), host));
  });
}

/** The VirtualService that governs `host` for this caller, Istio style: bound to the mesh, caller's namespace first. */
export function virtualServiceFor(ctx: OutboundContext, service: RegistryService): Resource<VirtualServiceSpec> | undefined {
  return byPrecedence(virtualServicesCovering(ctx.virtualServices, service.host, ctx.isNamespace), ctx.workload.namespace, service.namespace)[0];
}

/** The label keys of the callers a VirtualService's matches select on (`sourceLabels`): all of the caller's labels it reads. */
export function sourceLabelKeys(vs: Resource<VirtualServiceSpec>): string[] {
  const keys = new Set<string>();
  for (const r of vs.spec.http ?? []) for (const m of r.match ?? []) for (const k of Object.keys(m.sourceLabels ?? {})) keys.add(k);
  for (const r of vs.spec.tcp ?? []) for (const m of r.match ?? []) for (const k of Object.keys(m.sourceLabels ?? {})) keys.add(k);
  return [...keys].sort();
}

export function hostCovers(pattern: string, host: string): boolean {
  if (pattern === "*") return true;
  if (pattern.startsWith("*.")) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** Resolves a route destination to its cluster: the host relative to the VirtualService's namespace, the port when the service has several. */
function destinationCluster(ctx: OutboundContext, d: Destination, vsNamespace: string, fallbackPort: number): string {
  const host = resolveHost(d.host, vsNamespace, ctx.isNamespace);
  const target = ctx.serviceByHost.get(host);
  const port = d.port?.number ?? (target && target.ports.length === 1 ? target.ports[0]!.number : fallbackPort);
  return clusterName(host, port, d.subset ?? "");
}

/** The caller's virtual host for one service port; `vs` is the VirtualService in force for it (looked up when not given). */
export function compileVirtualHost(ctx: OutboundContext, service: RegistryService, port: RegistryPort, vs = virtualServiceFor(ctx, service)): VirtualHost {
  const source: RouteSource = { labels: ctx.workload.labels, namespace: ctx.workload.namespace };
  const defaultCluster = clusterName(service.host, port.number);
  const vh: VirtualHost = { name: `${service.host}:${port.number}`, domains: domainsFor(service, port.number, ctx.workload.namespace), port: port.number, routes: [] };

  if (port.protocol === "tcp") {
    const tcp: TcpRoute[] = [];
    for (const r of vs?.spec.tcp ?? []) {
      const applies = (r.match ?? []).length === 0 || (r.match ?? []).some((m) => (!m.port || m.port === port.number) && labelsMatch(m.sourceLabels, ctx.workload.labels));
      if (!applies) continue;
      const clusters = (r.route ?? []).map((d) => ({ cluster: destinationCluster(ctx, d.destination!, vs!.metadata.namespace, port.number), weight: d.weight ?? ((r.route ?? []).length === 1 ? 100 : 0) }));
      tcp.push({ clusters });
    }
    vh.tcp = tcp.length > 0 ? tcp : [{ clusters: [{ cluster: defaultCluster, weight: 100 }] }];
    return vh;
  }

  const routes: Route[] = [];
  (vs?.spec.http ?? []).forEach((r, i) => {
    const name = r.name ?? `${vs!.metadata.namespace}/${vs!.metadata.name}#${i}`;
    const route = compileHttpRoute(r, name, source, (d) => destinationCluster(ctx, d, vs!.metadata.namespace, port.number));
    // A route that only matches other ports does not belong to this virtual host.
    if (route && (route.match.length === 0 || route.match.some((m) => m.port === undefined || m.port === port.number))) routes.push(route);
  });
  // Envoy answers 404 NR past the last route; Istio adds a catch-all only when no VirtualService exists.
  if (!vs) routes.push({ name: "default", match: [], action: { type: "route", clusters: [{ cluster: defaultCluster, weight: 100 }] }, retry: DEFAULT_RETRY, mirrors: [] });
  vh.routes = routes;
  return vh;
}

/** A DestinationRule whose host covers a given host, and whether it names that host exactly. */
export interface CoveringRule {
  rule: Resource<DestinationRuleSpec>;
  exact: boolean;
}

/** The DestinationRules whose host covers `host`, whoever asks. */
export function destinationRulesCovering(rules: readonly Resource<DestinationRuleSpec>[], host: string, isNamespace: (ns: string) => boolean): CoveringRule[] {
  const out: CoveringRule[] = [];
  for (const rule of rules) {
    const resolved = resolveHost(rule.spec.host, rule.metadata.namespace, isNamespace);
    if (hostCovers(resolved, host)) out.push({ rule, exact: resolved === host });
  }
  return out;
}

/**
 * Of the rules covering a host, the one in force for this caller: a rule with a
 * workloadSelector counts only for the workloads it selects in its own namespace; an
 * exact host beats a wildcard; then the caller's namespace, the service's, the root.
 */
export function pickDestinationRule(
  covering: readonly CoveringRule[],
  workload: { namespace: string; labels: Readonly<Record<string, string>> },
  rootNamespace: string,
  serviceNamespace: string,
): Resource<DestinationRuleSpec> | undefined {
  const candidates = covering.filter(({ rule }) => {
    const selector = rule.spec.workloadSelector?.matchLabels;
    return !selector || (rule.metadata.namespace === workload.namespace && labelsMatch(selector, workload.labels));
  });
  const exact = candidates.filter((c) => c.exact);
  return byPrecedence((exact.length > 0 ? exact : candidates).map((c) => c.rule), workload.namespace, serviceNamespace, rootNamespace)[0];
}

/** The DestinationRule for a host as seen from the caller: caller's namespace, then the service's, then the root namespace. */
export function destinationRuleFor(
  rules: readonly Resource<DestinationRuleSpec>[],
  host: string,
  workload: WorkloadIdentity,
  isNamespace: (ns: string) => boolean,
  rootNamespace: string,
  serviceNamespace: string,
): Resource<DestinationRuleSpec> | undefined {
  return pickDestinationRule(destinationRulesCovering(rules, host, isNamespace), workload, rootNamespace, serviceNamespace);
}
