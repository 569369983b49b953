import { DEFAULT_CONNECTION_POOL, type HeaderOperations, type ProxySnapshot, type Route, type WeightedCluster, type Workload, type WorkloadIdentity } from "@skein/shared/browser";
import { securityFor } from "@skein/shared/browser";
import { authorizeAtDestination } from "./destination-authz";
import { forwardedRequest } from "./forwarded-request";
import type { MeshCompiler } from "./mesh-compiler";
import type { EndpointAuthorization, RouteTestAuthorization, RouteTestDestination, RouteTestSource } from "./result";

/**
 * The share of requests destination `i` gets, as the sidecar's pickWeighted splits them:
 * weight over the sum of weights; a lone destination, or the first when no weight is
 * positive, takes all.
 */
export function chanceOf(clusters: readonly Pick<WeightedCluster, "weight">[], i: number): number {
  if (clusters.length <= 1) return 1;
  const total = clusters.reduce((sum, c) => sum + c.weight, 0);
  if (total <= 0) return i === 0 ? 1 : 0;
  return clusters[i]!.weight / total;
}

/** One weighted destination: the cluster the source's snapshot holds for it, its endpoints and upstream policy. */
export function destinationOf(
  compiler: MeshCompiler,
  snapshot: ProxySnapshot,
  caller: WorkloadIdentity,
  cluster: WeightedCluster,
  chance: number,
): RouteTestDestination {
  const c = snapshot.clusters[cluster.cluster];
  const parsed = /^outbound\|(\d+)\|([^|]*)\|(.+)$/.exec(cluster.cluster);
  const host = c?.host ?? parsed?.[3] ?? cluster.cluster;
  const dr = compiler.destinationRule(host, caller);
  const headers: HeaderOperations | undefined = cluster.headers;
  const tls = c?.tls ?? { mode: "ISTIO_MUTUAL" as const, auto: true, expectedSpiffeIds: [] };
  return {
    cluster: cluster.cluster,
    host,
    port: c?.port ?? Number(parsed?.[1] ?? 0),
    ...(c?.subset ? { subset: c.subset } : parsed?.[2] ? { subset: parsed[2] } : {}),
    weight: cluster.weight,
    chance,
    ...(dr ? { destinationRule: { kind: "DestinationRule", namespace: dr.metadata.namespace, name: dr.metadata.name } } : {}),
    lb: c?.lb ?? { type: "LEAST_REQUEST" },
    connectionPool: c?.connectionPool ?? DEFAULT_CONNECTION_POOL,
    ...(c?.outlierDetection ? { outlierDetection: c.outlierDetection } : {}),
    tls,
    endpoints: (c?.endpoints ?? []).map((e) => ({
      address: e.address,
      port: e.port,
      labels: e.labels,
      sidecar: e.sidecar,
      security: securityFor({ tls }, e),
      ...(e.workload !== undefined ? { workload: e.workload } : {}),
      ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
      ...(e.serviceAccount !== undefined ? { serviceAccount: e.serviceAccount } : {}),
    })),
    ...(headers ? { headers } : {}),
  };
}

/**
 * Authorization at every workload the request may reach (destinations with a chance,
 * each of their endpoints), each judged by its own compiled inbound listener.
 */
export function authorize(
  compiler: MeshCompiler,
  sourceWorkload: Workload,
  source: RouteTestSource,
  destinations: readonly RouteTestDestination[],
  clusters: readonly WeightedCluster[],
  route: Route,
  req: { authority: string; path: string; headers: Record<string, string | string[]> },
  method: string,
): RouteTestAuthorization {
  const endpoints: EndpointAuthorization[] = [];
  const seen = new Set<string>();
  let unreachable = 0;
  destinations.forEach((d, i) => {
    if (d.chance <= 0) return;
    if (d.endpoints.length === 0) unreachable++;
    const forwarded = forwardedRequest(req, route, clusters[i]);
    for (const e of d.endpoints) {
      const key = `${e.namespace}/${e.workload}|${e.security}|${JSON.stringify(forwarded.headers)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const target = compiler.workload(e.namespace, e.workload);
      // An endpoint outside the registry (a ServiceEntry address) has no sidecar policy to consult.
      if (!target) continue;
      const inbound = compiler.snapshot(target).inbound;
      endpoints.push(
        authorizeAtDestination({ workload: target.name, namespace: target.namespace, address: e.address, inbound }, e.security, { principal: source.principal, namespace: source.namespace, address: sourceWorkload.address }, { ...forwarded, method }),
      );
    }
  });
  const denied = endpoints.filter((e) => !e.allowed);
  const allowed = endpoints.length > 0 && denied.length === 0 && unreachable === 0;
  let summary: string;
  if (endpoints.length === 0) summary = "no endpoint to send the request to: the caller sees 503 UH (no healthy upstream)";
  else if (denied.length === 0) summary = unreachable > 0 ? `allowed where it lands, but ${unreachable} destination(s) have no endpoints (503 UH)` : `allowed by every destination workload (${endpoints.map((e) => e.workload).join(", ")})`;
  else if (denied.length === endpoints.length) summary = `denied: ${denied[0]!.reason}`;
  else summary = `denied at ${denied.map((e) => e.workload).join(", ")}, allowed at ${endpoints.filter((e) => e.allowed).map((e) => e.workload).join(", ")}`;
  return { allowed, summary, endpoints };
}
