/**
 * The route tester's answer, computed the way the mesh computes it: the source's sidecar
 * config is compiled by the shared compiler from the stored resources and the registry
 * built from the registered workloads (as the control plane's push does), the Host is
 * looked up in the same RoutingTable the sidecar uses, the first matching route wins, and
 * each destination workload's own compiled inbound policy judges the forwarded request.
 * Pure: inputs in, answer out.
 */
import {
  compileMatch,
  compileRoutes,
  DEFAULT_RETRY,
  matchRoute,
  RoutingTable,
  type CompiledRoute,
  type Resource,
  type RetryPolicy,
  type Route,
  type RouteRequest,
  type VirtualHost,
  type VirtualServiceSpec,
  type WorkloadIdentity,
} from "@skein/shared/browser";
import { authorize, chanceOf, destinationOf } from "./destinations";
import { forwardedRequest } from "./forwarded-request";
import { MeshCompiler, RouteTestInputError, type MeshState } from "./mesh-compiler";
import type { ResourceRef, RouteTestAuthorization, RouteTestRequest, RouteTestResult, RouteTestRoute, RouteTestSource, RouteTestVirtualHost } from "./result";

export { RouteTestInputError, type MeshState };

const refOf = (r: Resource): ResourceRef => ({ kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name });

export function evaluateRouteTest(mesh: MeshState, request: RouteTestRequest): RouteTestResult {
  const compiler = new MeshCompiler(mesh);
  const sourceWorkload = compiler.workload(request.source.namespace, request.source.name);
  if (!sourceWorkload) throw new RouteTestInputError(`no workload ${request.source.namespace}/${request.source.name} is registered with the control plane`);
  const authority = request.host.trim();
  if (authority === "") throw new RouteTestInputError("the host is empty: give the Host header the app sends, e.g. reviews:9080");
  const identity = compiler.identity(sourceWorkload);
  const source: RouteTestSource = {
    workload: identity.name,
    namespace: identity.namespace,
    serviceAccount: identity.serviceAccount,
    labels: identity.labels,
    spiffeId: identity.spiffeId,
    // Istio's principal is the SPIFFE ID without its scheme.
    principal: identity.spiffeId.replace(/^spiffe:\/\//, ""),
  };
  const snapshot = compiler.snapshot(sourceWorkload);
  const headers = lowerCaseHeaders(request.headers, authority);
  const method = request.method.trim().toUpperCase() || "GET";
  const path = request.path.startsWith("/") ? request.path : `/${request.path}`;
  const knownHosts = [...new Set(snapshot.outbound.virtualHosts.map((vh) => vh.name))].sort();

  const routed = new RoutingTable(snapshot).find(authority);
  if (!routed) {
    return { matched: false, source, status: 404, flag: "NR", reason: `the outbound listener of ${source.namespace}/${source.workload} has no virtual host for Host "${authority}"`, knownHosts, config: [] };
  }
  const virtualHost = virtualHostOf(routed.vh);
  const vs = virtualServiceOf(mesh.resources, routed.vh.routes);
  const vsConfig = vs ? [refOf(vs)] : [];
  if (routed.routes.length === 0) {
    const why = routed.vh.tcp ? `${routed.vh.name} is a TCP port: an HTTP request finds no route` : `no route of ${vs ? `VirtualService ${vs.metadata.namespace}/${vs.metadata.name}` : routed.vh.name} applies to ${source.namespace}/${source.workload}`;
    return { matched: false, source, virtualHost, status: 404, flag: "NR", reason: why, knownHosts, config: vsConfig };
  }
  const routeRequest: RouteRequest = { method, path, authority, scheme: "http", headers, port: routed.vh.port, sourceLabels: identity.labels, sourceNamespace: identity.namespace };
  const hit = matchRoute(routed.routes, routeRequest);
  if (!hit) {
    return {
      matched: false,
      source,
      virtualHost,
      status: 404,
      flag: "NR",
      reason: `no route of ${vs ? `VirtualService ${vs.metadata.namespace}/${vs.metadata.name}` : routed.vh.name} matched ${method} ${path} (its routes have no catch-all)`,
      knownHosts,
      config: vsConfig,
    };
  }
  const route = hit.route;
  const action = route.action;
  const clusters = action.type === "route" ? action.clusters : [];
  const destinations = clusters.map((c, i) => destinationOf(compiler, snapshot, identity, c, chanceOf(clusters, i)));
  // The first destination with any chance stands for the forwarded request (they differ only in destination header operations).
  const chosen = clusters.find((_c, i) => destinations[i]!.chance > 0);
  const forwarded = forwardedRequest({ authority, path, headers }, route, chosen);
  const authorization = action.type === "route" ? authorize(compiler, sourceWorkload, source, destinations, clusters, route, { authority, path, headers }, method) : undefined;
  const config = uniqueRefs([...vsConfig, ...destinations.flatMap((d) => (d.destinationRule ? [d.destinationRule] : [])), ...authzConfig(authorization)]);
  return {
    matched: true,
    source,
    request: { authority, method, path },
    virtualHost,
    route: routeOf(hit, vs, identity, routeRequest),
    action: action.type === "route" ? { type: "route" } : { ...action },
    destinations,
    retry: { ...route.retry, istioDefault: sameRetry(route.retry, DEFAULT_RETRY) },
    ...(route.timeoutMs !== undefined ? { timeoutMs: route.timeoutMs } : {}),
    ...(route.fault ? { fault: route.fault } : {}),
    mirrors: route.mirrors,
    forwarded,
    ...(authorization ? { authorization } : {}),
    config,
  };
}

function lowerCaseHeaders(headers: RouteTestRequest["headers"], authority: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.trim().toLowerCase();
    if (name === "") continue;
    const cur = out[name];
    out[name] = cur === undefined ? v : [...(Array.isArray(cur) ? cur : [cur]), ...(Array.isArray(v) ? v : [v])];
  }
  // The app's request carries its Host; the sidecar sees it among the headers.
  out.host ??= authority;
  return out;
}

function virtualHostOf(vh: VirtualHost): RouteTestVirtualHost {
  // Envoy's sidecar: the virtual outbound listener hands HTTP to the route configuration named by port.
  return { listener: "virtualOutbound (0.0.0.0:15001)", routeConfig: String(vh.port), name: vh.name, port: vh.port, domains: vh.domains };
}

/** The VirtualService the host's compiled routes come from; route names are `namespace/name#index` unless the route names itself. */
function virtualServiceOf(resources: readonly Resource[], routes: readonly Route[]): Resource<VirtualServiceSpec> | undefined {
  const services = resources.filter((r): r is Resource<VirtualServiceSpec> => r.kind === "VirtualService");
  for (const r of routes) {
    const m = /^([^/]+)\/([^#]+)#(\d+)$/.exec(r.name);
    const byRef = m ? services.find((vs) => vs.metadata.namespace === m[1] && vs.metadata.name === m[2]) : undefined;
    if (byRef) return byRef;
    const byName = services.find((vs) => (vs.spec.http ?? []).some((h) => h.name === r.name));
    if (byName) return byName;
  }
  return undefined;
}

function routeOf(hit: CompiledRoute, vs: Resource<VirtualServiceSpec> | undefined, source: WorkloadIdentity, req: RouteRequest): RouteTestRoute {
  const route = hit.route;
  const out: RouteTestRoute = { name: route.name };
  if (!vs) return out;
  out.virtualService = refOf(vs);
  const http = vs.spec.http ?? [];
  const m = /#(\d+)$/.exec(route.name);
  const index = m && route.name === `${vs.metadata.namespace}/${vs.metadata.name}#${m[1]}` ? Number(m[1]) : http.findIndex((h) => h.name === route.name);
  if (index >= 0) out.index = index;
  if (route.match.length === 0) return out;
  // Which compiled entry hit, then its place among the written ones (entries that cannot apply to this source were dropped).
  const entry = route.match.findIndex((e) => compileRoutes({ name: "", domains: [], port: 0, routes: [{ ...route, match: [e] }] })[0]!.matches(req));
  if (entry < 0) return out;
  out.match = route.match[entry]!;
  const written = index >= 0 ? (http[index]?.match ?? []) : [];
  let kept = -1;
  for (let i = 0; i < written.length; i++) {
    if (compileMatch(written[i]!, { labels: source.labels, namespace: source.namespace }) !== undefined) kept++;
    if (kept === entry) {
      out.matchIndex = i;
      break;
    }
  }
  return out;
}

function sameRetry(a: RetryPolicy, b: RetryPolicy): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function authzConfig(a: RouteTestAuthorization | undefined): ResourceRef[] {
  return (a?.endpoints ?? []).flatMap((e) =>
    e.policies.map((p) => {
      const [namespace, name] = p.name.split("/") as [string, string];
      return { kind: "AuthorizationPolicy", namespace, name };
    }),
  );
}

function uniqueRefs(refs: readonly ResourceRef[]): ResourceRef[] {
  const seen = new Map<string, ResourceRef>();
  for (const r of refs) seen.set(`${r.kind}/${r.namespace}/${r.name}`, r);
  return [...seen.values()];
}
