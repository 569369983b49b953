/**
 * From a span to the graph edge its request travelled. The sidecar tags every span with
 * who reported it (istio.namespace, istio.canonical_service, istio.canonical_revision and
 * the Envoy node id, which names the workload); a client span and the server span under
 * it are the two ends of one request. The edge id is built by the graph's own functions
 * (packages/shared/src/graph/node-id.ts), so it names the element the graph draws.
 */
import { edgeId, hopsFor, type JaegerSpan, type JaegerTrace } from "@skein/shared/browser";
import { tagsOf, type TagValue } from "./trace-model";

const UNKNOWN = "unknown";

interface SpanEnd {
  namespace: string;
  workload: string;
  app: string;
  version: string;
}

/** The reporting sidecar's workload: node ids read `sidecar~<ip>~<workload>.<namespace>~<namespace>.svc.cluster.local`. */
export function workloadOfNodeId(nodeId: string, namespace: string): string | undefined {
  const part = nodeId.split("~")[2];
  if (!part) return undefined;
  return part.endsWith(`.${namespace}`) ? part.slice(0, -namespace.length - 1) : part.split(".")[0];
}

function endOf(tags: Record<string, TagValue>): SpanEnd | undefined {
  const namespace = String(tags["istio.namespace"] ?? "");
  if (namespace === "") return undefined;
  return {
    namespace,
    workload: workloadOfNodeId(String(tags.node_id ?? ""), namespace) ?? UNKNOWN,
    app: String(tags["istio.canonical_service"] ?? UNKNOWN),
    version: String(tags["istio.canonical_revision"] ?? UNKNOWN),
  };
}

/** The destination service of a request: the client's upstream cluster, else the span name `<host>:<port>/*`. */
export function serviceOfSpan(span: Pick<JaegerSpan, "operationName" | "tags">): { host: string; name: string; namespace: string } | undefined {
  const cluster = String(tagsOf(span).upstream_cluster ?? "");
  const fromCluster = /^outbound\|\d*\|[^|]*\|(.+)$/.exec(cluster)?.[1];
  const fromName = /^([^:/]+)(:\d+)?\/\*$/.exec(span.operationName)?.[1];
  const host = fromCluster ?? fromName;
  if (!host) return undefined;
  const [name, namespace] = host.split(".");
  return { host, name: name!, namespace: namespace ?? UNKNOWN };
}

const kindOf = (s: JaegerSpan) => String(tagsOf(s)["span.kind"] ?? "").toLowerCase();
const parentId = (s: JaegerSpan) => s.references.find((r) => r.refType === "CHILD_OF")?.spanID;

export interface GraphLink {
  edgeId: string;
  namespaces: string[];
  href: string;
}

/**
 * The versioned-app graph edge for a span: for a client span the hop from its workload to
 * the service it called, for a server span the hop from the service to its workload (the
 * graph puts the service node between caller and callee, as Kiali does).
 */
export function graphLinkForSpan(trace: JaegerTrace, spanId: string): GraphLink | undefined {
  const span = trace.spans.find((s) => s.spanID === spanId);
  if (!span) return undefined;
  const kind = kindOf(span);
  let client: JaegerSpan | undefined;
  let server: JaegerSpan | undefined;
  if (kind === "client") {
    client = span;
    // With retries several server spans sit under one client span: the last attempt answered.
    server = trace.spans.filter((s) => parentId(s) === span.spanID && kindOf(s) === "server").sort((a, b) => b.startTime - a.startTime)[0];
  } else if (kind === "server") {
    server = span;
    const parent = trace.spans.find((s) => s.spanID === parentId(span));
    client = parent && kindOf(parent) === "client" ? parent : undefined;
  } else return undefined;
  const service = serviceOfSpan(client ?? span);
  if (!service) return undefined;
  const source = client ? endOf(tagsOf(client)) : undefined;
  const dest = server ? endOf(tagsOf(server)) : undefined;
  const hops = hopsFor("versionedApp", {
    sourceNamespace: source?.namespace ?? UNKNOWN,
    sourceWorkload: source?.workload ?? UNKNOWN,
    sourceApp: source?.app ?? UNKNOWN,
    sourceVersion: source?.version ?? UNKNOWN,
    destServiceNamespace: service.namespace,
    destServiceHost: service.host,
    destService: service.name,
    destWorkloadNamespace: dest?.namespace ?? UNKNOWN,
    destWorkload: dest?.workload ?? UNKNOWN,
    destApp: dest?.app ?? UNKNOWN,
    destVersion: dest?.version ?? UNKNOWN,
  });
  const hop = kind === "client" ? hops[0] : hops[hops.length - 1];
  if (!hop) return undefined;
  const [from, to] = hop;
  const id = edgeId(from.id, to.id, "http");
  const namespaces = [...new Set([from.namespace, to.namespace, service.namespace].filter((ns) => ns !== "" && ns !== UNKNOWN))];
  return { edgeId: id, namespaces, href: `/?namespaces=${namespaces.map(encodeURIComponent).join(",")}&graphType=versionedApp&selected=${encodeURIComponent(id)}` };
}
