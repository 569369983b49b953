/**
 * The graph API's nodes and edges as cytoscape element data. Ids are the shared builder's
 * (nodes `svc:shop:reviews`, `vapp:shop:reviews-v2`, boxes `box:app:shop:reviews`; edges
 * `<sourceId>-><targetId>:<protocol>`), so an element keeps its id across refreshes.
 * The fields are a contract the browser tests and the benchmark read through
 * `window.__skeinCy`: nodes `nodeType namespace app version workload service health badges`,
 * edges `health isMTLS rate errorRate p95 protocol`.
 */
import type { Graph, GraphEdge, GraphNode, HealthStatus } from "@skein/shared/browser";
import { formatValue } from "../../components/charts/chart-scale.ts";

/** Kiali's health names for the canvas: `na` where the builder says `idle` (no requests to judge). */
export type CanvasHealth = "healthy" | "degraded" | "failure" | "na";

export interface NodeData {
  id: string;
  parent?: string;
  nodeType: GraphNode["type"];
  namespace: string;
  app?: string;
  version?: string;
  workload?: string;
  service?: string;
  /** Box nodes: "app" or "namespace". */
  box?: "app" | "namespace";
  health: CanvasHealth;
  badges: string[];
  /** Requests per second received. */
  rate: number;
  errorRate: number;
  isRoot: boolean;
  isOutside: boolean;
  label: string;
}

export interface EdgeData {
  id: string;
  source: string;
  target: string;
  protocol: GraphEdge["protocol"];
  health: CanvasHealth;
  /** Percentage (0..100) of the traffic that was mutual TLS, as Kiali's isMTLS. */
  isMTLS: number;
  /** Requests per second; bytes per second for TCP. */
  rate: number;
  errorRate: number;
  /** ms; absent when no successful request was timed. */
  p95?: number;
  labelRate: string;
  labelErrorRate: string;
  labelP95: string;
}

export interface Elements {
  nodes: NodeData[];
  edges: EdgeData[];
}

export function canvasHealth(status: HealthStatus): CanvasHealth {
  return status === "idle" ? "na" : status;
}

/** What a node is called on the canvas: its own name, the version below, and a foreign namespace. */
export function nodeLabel(n: GraphNode, namespaces: number): string {
  if (n.type === "box") return n.box === "app" ? (n.app ?? "") : n.namespace;
  if (n.type === "unknown") return "unknown";
  let name: string;
  if (n.type === "service") name = n.service ?? "";
  else if (n.type === "workload") name = n.workload ?? "";
  else name = n.app ?? n.workload ?? "";
  const lines = [name];
  if (n.type === "app" && n.version) lines.push(n.version);
  // Kiali shows the namespace when it is not obvious from the view.
  if (n.isOutside || (namespaces > 1 && !n.parent)) lines.push(`(${n.namespace})`);
  return lines.join("\n");
}

export function formatRate(perSecond: number): string {
  return formatValue(perSecond, "rps");
}

export function formatBytesRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1_000_000) return `${formatValue(bytesPerSecond / 1_000_000)} MB/s`;
  if (bytesPerSecond >= 1000) return `${formatValue(bytesPerSecond / 1000)} kB/s`;
  return `${formatValue(bytesPerSecond)} B/s`;
}

export function toNodeData(n: GraphNode, namespaces: number): NodeData {
  return {
    id: n.id,
    ...(n.parent ? { parent: n.parent } : {}),
    nodeType: n.type,
    namespace: n.namespace,
    ...(n.app ? { app: n.app } : {}),
    ...(n.version ? { version: n.version } : {}),
    ...(n.workload ? { workload: n.workload } : {}),
    ...(n.service ? { service: n.service } : {}),
    ...(n.box ? { box: n.box } : {}),
    health: canvasHealth(n.health.status),
    badges: n.badges ?? [],
    rate: n.traffic.in,
    errorRate: n.health.errorRate,
    isRoot: n.isRoot === true,
    isOutside: n.isOutside === true,
    label: nodeLabel(n, namespaces),
  };
}

export function toEdgeData(e: GraphEdge): EdgeData {
  const tcp = e.protocol === "tcp";
  return {
    id: e.id,
    source: e.source,
    target: e.target,
    protocol: e.protocol,
    health: canvasHealth(e.health.status),
    isMTLS: Math.round(e.mtls * 1000) / 10,
    rate: e.rate,
    errorRate: e.errorRate,
    ...(e.p95Ms !== undefined ? { p95: e.p95Ms } : {}),
    labelRate: e.rate > 0 ? (tcp ? formatBytesRate(e.rate) : formatRate(e.rate)) : "",
    // Kiali labels only failing edges with their error share; 0 % on every edge is noise.
    labelErrorRate: !tcp && e.errorRate > 0 ? formatValue(e.errorRate, "%") : "",
    labelP95: e.p95Ms !== undefined ? formatValue(e.p95Ms, "ms") : "",
  };
}

export function toElements(graph: Graph, namespaceCount: number): Elements {
  return { nodes: graph.nodes.map((n) => toNodeData(n, namespaceCount)), edges: graph.edges.map(toEdgeData) };
}

/** A box drawn around its members instead of being a cytoscape compound node. */
export interface BoxOutline {
  id: string;
  box: "app" | "namespace";
  label: string;
  health: CanvasHealth;
  /** Leaf node ids inside it, at any depth. */
  members: string[];
}

/**
 * The elements without compound nodes, and the boxes to draw around their members. Cytoscape
 * styles, measures and redraws a compound node's whole subtree whenever one member changes;
 * on the reference graph (1,500 leaves in 385 boxes) that tripled the first render
 * (0.5-0.65 s flat against 1.4-3 s boxed), so big graphs draw boxes on an underlay instead.
 */
export function flattenBoxes(elements: Elements): { elements: Elements; boxes: BoxOutline[] } {
  const boxes = elements.nodes.filter((n) => n.nodeType === "box");
  if (boxes.length === 0) return { elements, boxes: [] };
  const parentOf = new Map(elements.nodes.flatMap((n) => (n.parent ? [[n.id, n.parent] as const] : [])));
  const members = new Map<string, string[]>(boxes.map((b) => [b.id, []]));
  const nodes: NodeData[] = [];
  for (const n of elements.nodes) {
    if (n.nodeType === "box") continue;
    for (let p = n.parent; p !== undefined; p = parentOf.get(p)) members.get(p)?.push(n.id);
    if (n.parent === undefined) nodes.push(n);
    else {
      const { parent: _parent, ...rest } = n;
      nodes.push(rest);
    }
  }
  return {
    elements: { nodes, edges: elements.edges },
    boxes: boxes.map((b) => ({ id: b.id, box: b.box ?? "app", label: b.label, health: b.health, members: members.get(b.id)! })),
  };
}
