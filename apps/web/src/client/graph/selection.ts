/**
 * What the side panel asks about a selected node or edge: the /api/metrics and
 * /api/graph/config parameters, and the trace search (Jaeger's service name is Istio's
 * `<canonical service>.<namespace>`, and the sidecar tags each span with
 * `istio.canonical_revision`, so a version narrows the search).
 */
import type { EdgeData, Elements, NodeData } from "./elements.ts";

export type Selection = { kind: "node"; node: NodeData } | { kind: "edge"; edge: EdgeData; source: NodeData; target: NodeData };

export type Params = Record<string, string>;

/** The names /api/metrics and /api/graph/config take for a node; undefined for a box. */
export function refParams(n: NodeData, prefix: "" | "source" = ""): Params | undefined {
  const key = (k: string) => (prefix ? `${prefix}${k[0]!.toUpperCase()}${k.slice(1)}` : k);
  if (n.nodeType === "box") return undefined;
  if (n.nodeType === "unknown") return { [key("namespace")]: "unknown", [key("workload")]: "unknown" };
  const out: Params = { [key("namespace")]: n.namespace };
  if (n.nodeType === "service") out[key("service")] = n.service ?? "";
  else if (n.workload) out[key("workload")] = n.workload;
  else if (n.app) {
    out[key("app")] = n.app;
    if (n.version) out[key("version")] = n.version;
  }
  return out;
}

/**
 * /api/metrics parameters: a node's inbound requests, or its outbound ones when it receives
 * none (a traffic generator); an edge from source to target.
 */
export function metricsParams(sel: Selection, duration: string): Params | undefined {
  if (sel.kind === "node") {
    const ref = refParams(sel.node);
    if (!ref) return undefined;
    const outbound = sel.node.nodeType !== "service" && (sel.node.isRoot || sel.node.nodeType === "unknown");
    return { ...ref, direction: outbound ? "outbound" : "inbound", duration };
  }
  const destination = refParams(sel.target);
  const source = refParams(sel.source, "source");
  if (!destination || !source) return undefined;
  return { ...destination, ...source, duration };
}

/** /api/graph/config parameters: the node, or an edge's destination with the service it was addressed to. */
export function configParams(sel: Selection): Params | undefined {
  const node = sel.kind === "node" ? sel.node : sel.target;
  if (node.nodeType === "unknown") return undefined;
  const ref = refParams(node);
  if (!ref) return undefined;
  if (sel.kind === "edge" && sel.source.nodeType === "service" && sel.source.service && sel.source.namespace === node.namespace) {
    ref.service = sel.source.service;
  }
  return ref;
}

export interface TraceQuery {
  /** Jaeger service: `<canonical service>.<namespace>`. */
  service: string;
  /** Span tags every matching span carries. */
  tags: Record<string, string>;
}

/**
 * The spans that show a node's or an edge's requests: the server spans of the node (or of
 * the edge's destination), or the client spans of a node that only sends.
 */
export function traceQuery(sel: Selection): TraceQuery | undefined {
  const node = sel.kind === "node" ? sel.node : sel.target;
  const sends = sel.kind === "node" && (node.isRoot || node.rate === 0) && node.nodeType !== "service";
  const name = node.nodeType === "service" ? node.service : node.app;
  if (!name || node.nodeType === "box" || node.nodeType === "unknown") return undefined;
  const tags: Record<string, string> = { "span.kind": sends ? "client" : "server" };
  if (node.version && node.nodeType !== "service") tags["istio.canonical_revision"] = node.version;
  return { service: `${name}.${node.namespace}`, tags };
}

/** Seconds of a window ("5m", "1d") as a Go duration the trace API takes (it has no "d"). */
export function lookback(windowSeconds: number): string {
  return `${Math.round(windowSeconds)}s`;
}

/** The selected element with, for an edge, both ends; undefined when the id is not drawn. */
export function selectionFor(elements: Elements, id: string | undefined): Selection | undefined {
  if (!id) return undefined;
  const node = elements.nodes.find((n) => n.id === id);
  if (node) return { kind: "node", node };
  const edge = elements.edges.find((e) => e.id === id);
  if (!edge) return undefined;
  const source = elements.nodes.find((n) => n.id === edge.source);
  const target = elements.nodes.find((n) => n.id === edge.target);
  return source && target ? { kind: "edge", edge, source, target } : undefined;
}
