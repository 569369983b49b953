/**
 * Node identity, after Kiali's graph.Id and NewNodeExplicit (graph/types.go): which node a
 * series end falls on for each graph type, under an id built from names only, so the same
 * node keeps its id on every refresh and the browser can update it in place.
 */
import { isOK, UNKNOWN, type Endpoints } from "./series.ts";
import type { GraphType } from "./types.ts";

export interface NodeInfo {
  id: string;
  type: "app" | "workload" | "service" | "unknown";
  namespace: string;
  app?: string;
  version?: string;
  workload?: string;
  service?: string;
}

/** The node outside the mesh that requests without a client proxy come from. */
export const UNKNOWN_SOURCE: NodeInfo = { id: "unknown", type: "unknown", namespace: UNKNOWN };

/**
 * Kiali's graph.Id for one end; undefined when nothing names the end. The service graph
 * is built as a workload graph and reduced afterwards, as Kiali does.
 */
export function nodeFor(
  graphType: GraphType,
  serviceNamespace: string,
  service: string,
  workloadNamespace: string,
  workload: string,
  app: string,
  version: string,
): NodeInfo | undefined {
  const namespace = isOK(workloadNamespace) ? workloadNamespace : serviceNamespace;
  if (!isOK(namespace) && !isOK(workload) && !isOK(app) && service === "") return UNKNOWN_SOURCE;
  // A request to nowhere known (an ingress to an unknown path): one such node per namespace.
  if (workload === UNKNOWN && app === UNKNOWN && service === UNKNOWN) {
    return { id: `svc:${namespace}:${UNKNOWN}`, type: "service", namespace, service: UNKNOWN };
  }
  const workloadOk = isOK(workload);
  const appOk = isOK(app);
  const serviceOk = isOK(service);
  if (!workloadOk && !appOk && !serviceOk) return undefined;

  const serviceNode = (name: string): NodeInfo => ({ id: `svc:${namespace}:${name}`, type: "service", namespace, service: name });
  const workloadNode = (): NodeInfo => ({
    id: `wl:${namespace}:${workload}`,
    type: "workload",
    namespace,
    workload,
    // Kept on workload nodes: they name the destination rule subsets and the app box.
    ...(appOk ? { app } : {}),
    ...(isOK(version) ? { version } : {}),
  });

  if (graphType === "workload" || graphType === "service") {
    if (workloadOk) return workloadNode();
    return serviceNode(serviceOk ? service : UNKNOWN);
  }
  if (appOk) {
    if (graphType === "versionedApp") {
      // By workload when known: some protection against two workloads sharing app+version labels.
      if (workloadOk) {
        return { id: `vapp:${namespace}:${workload}`, type: "app", namespace, app, workload, ...(isOK(version) ? { version } : {}) };
      }
      if (isOK(version)) return { id: `vapp:${namespace}:${app}:${version}`, type: "app", namespace, app, version };
    }
    return { id: `app:${namespace}:${app}`, type: "app", namespace, app };
  }
  if (workloadOk) return workloadNode();
  return serviceNode(service);
}

export function sourceNode(graphType: GraphType, s: Endpoints): NodeInfo | undefined {
  return nodeFor(graphType, s.sourceNamespace, "", s.sourceNamespace, s.sourceWorkload, s.sourceApp, s.sourceVersion);
}

export function destinationNode(graphType: GraphType, s: Endpoints): NodeInfo | undefined {
  return nodeFor(graphType, s.destServiceNamespace, s.destService, s.destWorkloadNamespace, s.destWorkload, s.destApp, s.destVersion);
}

/**
 * The hops a series is drawn as. Kiali injects the destination service between caller and
 * callee (injectServiceNodes, on by default): source -> service -> destination, unless the
 * service is unnamed or the destination already is that service (the request reached no
 * workload, e.g. no healthy upstream).
 */
export function hopsFor(graphType: GraphType, s: Endpoints): Array<[NodeInfo, NodeInfo]> {
  const source = sourceNode(graphType, s);
  const dest = destinationNode(graphType, s);
  if (!source || !dest) return [];
  if (isOK(s.destService) && dest.type !== "service") {
    const service = nodeFor(graphType, s.destServiceNamespace, s.destService, "", "", "", "");
    if (service) return [[source, service], [service, dest]];
  }
  return [[source, dest]];
}
