/**
 * Applies a GraphDiff to a cytoscape instance in one batch and runs the layout it calls
 * for: when nothing was drawn, fcose over everything (a layered layout for big graphs,
 * where fcose is far too slow); otherwise fcose over the newly placed nodes and their
 * neighbours only, with every other node locked so not one moves.
 */
import type { Core, NodeSingular, Position as CyPosition } from "cytoscape";
import { diffGraph, NODE_SPACING, PositionGrid, type CanvasState, type Position } from "@/client/graph/diff";
import type { EdgeData, Elements, NodeData } from "@/client/graph/elements";
import { layeredLayout } from "@/client/graph/layered-layout";

// Fields cytoscape fixes when an element is created; changing them needs move().
const FIXED = new Set(["id", "parent", "source", "target"]);

/**
 * Leaf count above which the first layout is the layered one: fcose took ~0.6-1.1 s for 200
 * nodes and 500 edges here, and grows much faster than linearly.
 */
export const LARGE_GRAPH_NODES = 200;

export function readCanvas(cy: Core): CanvasState {
  const nodes = new Map<string, { data: NodeData; position: Position }>();
  const edges = new Map<string, EdgeData>();
  cy.nodes().forEach((n) => {
    const p = n.position();
    nodes.set(n.id(), { data: n.data() as NodeData, position: { x: p.x, y: p.y } });
  });
  cy.edges().forEach((e) => {
    edges.set(e.id(), e.data() as EdgeData);
  });
  return { nodes, edges };
}

function updateData(cy: Core, data: NodeData | EdgeData): void {
  const ele = cy.$id(data.id);
  const old = ele.data() as Record<string, unknown>;
  const next = data as unknown as Record<string, unknown>;
  const gone = Object.keys(old).filter((k) => !FIXED.has(k) && !(k in next));
  if (gone.length > 0) ele.removeData(gone.join(" "));
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) if (!FIXED.has(k)) fields[k] = v;
  ele.data(fields);
}

function fcoseOptions(nodeCount: number) {
  const large = nodeCount > LARGE_GRAPH_NODES;
  return {
    name: "fcose",
    quality: "default",
    animate: false,
    // Labels in the node sizes keep two-line labels from overlapping; measuring them costs
    // too much on big graphs, where labels are mostly too small to draw anyway.
    nodeDimensionsIncludeLabels: !large,
    uniformNodeDimensions: large,
    // room for a two-line label under each node and an edge label between them
    idealEdgeLength: () => (large ? 70 : 105),
    nodeRepulsion: () => (large ? 6000 : 16000),
    nodeSeparation: large ? 90 : 120,
    // fewer iterations on big graphs: the spectral start is already good and time is the budget
    numIter: large ? 1200 : 2500,
    padding: 30,
  };
}

export interface ApplyResult {
  nodes: number;
  edges: number;
  /** Whether the whole graph was laid out (the view should fit it). */
  fullLayout: boolean;
}

/**
 * Brings the canvas to `next`. `remembered` holds the last position of every node drawn in
 * this session and is updated, so a node that comes back (unhidden, or back in the
 * window) returns to where it was.
 */
export function isLargeGraph(elements: Elements): boolean {
  let leaves = 0;
  for (const n of elements.nodes) if (n.nodeType !== "box") leaves++;
  return leaves > LARGE_GRAPH_NODES;
}

/**
 * `boxed` is the graph with its boxes when `next` is drawn without them (flattenBoxes): the
 * layered layout still keeps an app's versions together.
 */
export function applyElements(cy: Core, next: Elements, remembered: Map<string, Position>, boxed: Elements = next): ApplyResult {
  const diff = diffGraph(readCanvas(cy), next, remembered);
  // Big graphs get their first positions before they are added: positioning 1,500 nodes
  // afterwards (a preset layout) cost seconds of bounds updates.
  const layered = diff.fullLayout && isLargeGraph(next) ? layeredPositions(boxed) : undefined;
  cy.batch(() => {
    for (const id of diff.removeEdges) cy.$id(id).remove();
    // one add() per group: cytoscape then builds one collection instead of thousands
    cy.add(
      diff.addNodes.map(({ data, position }) => {
        const at = position ?? layered?.get(data.id);
        return { group: "nodes" as const, data: { ...data }, ...(at ? { position: { ...at } } : {}) };
      }),
    );
    for (const { id, parent } of diff.reparent) cy.$id(id).move({ parent });
    for (const id of diff.removeNodes) cy.$id(id).remove();
    for (const n of diff.updateNodes) updateData(cy, n);
    for (const e of diff.updateEdges) updateData(cy, e);
    if (diff.addEdges.length > 0) cy.add(diff.addEdges.map((e) => ({ group: "edges" as const, data: { ...e } })));
  });

  const leaves = cy.nodes().filter((n) => !n.isParent() && n.data("nodeType") !== "box");
  if (layered) {
    fitPositions(cy, layered.values());
  } else if (diff.fullLayout && leaves.length > 0) {
    cy.layout({ ...fcoseOptions(leaves.length), randomize: true, fit: true } as never).run();
  } else if (diff.placed.length > 0) {
    const placedAt = new Map(diff.addNodes.flatMap((n) => (n.position ? [[n.data.id, n.position] as const] : [])));
    layoutPlaced(cy, diff.placed, placedAt);
  }
  cy.nodes().forEach((n) => {
    if (n.isParent() || n.data("nodeType") === "box") return;
    const p = n.position();
    remembered.set(n.id(), { x: p.x, y: p.y });
  });
  return { nodes: cy.nodes().length, edges: cy.edges().length, fullLayout: diff.fullLayout };
}

function layeredPositions(next: Elements): Map<string, Position> {
  const nodes = next.nodes.map((n) => ({ id: n.id, namespace: n.namespace, isBox: n.nodeType === "box", name: n.app ?? n.service ?? n.workload ?? n.id, ...(n.parent ? { parent: n.parent } : {}) }));
  return layeredLayout(nodes, next.edges);
}

/**
 * Fits the view to known positions. cy.fit() would measure every label's bounding box
 * first, which on thousands of labelled elements costs more than the layout.
 */
export function fitPositions(cy: Core, positions: Iterable<Position>, padding = 60): void {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const p of positions) {
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  if (x1 === Infinity) return;
  const w = cy.width();
  const h = cy.height();
  const zoom = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), Math.min((w - 2 * padding) / Math.max(1, x2 - x1), (h - 2 * padding) / Math.max(1, y2 - y1))));
  cy.viewport({ zoom, pan: { x: w / 2 - zoom * ((x1 + x2) / 2), y: h / 2 - zoom * ((y1 + y2) / 2) } });
}

/**
 * fcose over the placed nodes and their neighbours, starting from the placement (no
 * randomizing): the neighbours are fixed constraints, and every node but the placed ones
 * is locked, so cytoscape refuses to move them whatever the layout computes.
 */
function layoutPlaced(cy: Core, placedIds: readonly string[], placedAt: ReadonlyMap<string, Position>): void {
  const ids = new Set(placedIds);
  const placed = cy.nodes().filter((n) => ids.has(n.id()));
  const neighbours = placed.neighborhood().nodes().filter((n) => !n.isParent() && !ids.has(n.id()));
  const scope = placed.union(neighbours).union(placed.connectedEdges());
  const locked = cy.nodes().filter((n) => !ids.has(n.id()) && !n.locked());
  locked.lock();
  try {
    const fixed = neighbours.map((n: NodeSingular) => ({ nodeId: n.id(), position: { ...(n.position() as CyPosition) } }));
    scope.layout({ ...fcoseOptions(placed.length), randomize: false, fit: false, ...(fixed.length > 0 ? { fixedNodeConstraint: fixed } : {}) } as never).run();
  } finally {
    locked.unlock();
  }
  keepClear(cy, placedIds, placedAt);
}

/**
 * The local layout only sees the new nodes' neighbours, so it may push a new node onto a
 * node it did not know about, or away from where it belongs. Such a node goes back to the
 * spot the placement chose, which was clear of every drawn node.
 */
function keepClear(cy: Core, placedIds: readonly string[], placedAt: ReadonlyMap<string, Position>): void {
  const ids = new Set(placedIds);
  const grid = new PositionGrid();
  cy.nodes().forEach((n) => {
    if (!ids.has(n.id()) && !n.isParent() && n.data("nodeType") !== "box") grid.set(n.id(), n.position());
  });
  for (const id of placedIds) {
    const n = cy.$id(id);
    const at = n.position();
    const planned = placedAt.get(id);
    const drifted = planned !== undefined && Math.hypot(at.x - planned.x, at.y - planned.y) > 2 * NODE_SPACING;
    if (planned && (drifted || !grid.isClear(at))) n.position({ ...planned });
    grid.set(id, { ...n.position() });
  }
}
