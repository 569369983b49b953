/**
 * What a refresh changes on the canvas, decided without touching cytoscape: which elements
 * to add, update, re-parent and remove, and where new nodes go. Existing nodes are never
 * given a position (they keep theirs exactly); a node seen earlier in this session (hidden,
 * or gone for a while) comes back where it was; a new node is placed beside the neighbours
 * it is connected to, on the first free spot of rings around them, and only when nothing
 * is placed yet does the canvas need a full layout.
 */
import type { EdgeData, Elements, NodeData } from "./elements.ts";

export interface Position {
  x: number;
  y: number;
}

/** The canvas as it is: each drawn element's data and each drawn leaf node's position. */
export interface CanvasState {
  nodes: ReadonlyMap<string, { data: NodeData; position: Position }>;
  edges: ReadonlyMap<string, EdgeData>;
}

export interface GraphDiff {
  /** In an order cytoscape accepts: boxes before their members. */
  addNodes: { data: NodeData; position?: Position }[];
  addEdges: EdgeData[];
  /** Existing nodes whose data changed (parent changes are in `reparent`). */
  updateNodes: NodeData[];
  updateEdges: EdgeData[];
  /** Existing nodes that move into another box (or out of one): id -> new parent or null. */
  reparent: { id: string; parent: string | null }[];
  removeEdges: string[];
  /** Leaves first, then boxes, so removing a box never takes a member with it. */
  removeNodes: string[];
  /** Leaf nodes placed here for the first time: the only ones a follow-up layout may move. */
  placed: string[];
  /** Nothing is on the canvas to place against: lay the whole graph out. */
  fullLayout: boolean;
}

/** Distance between node centres the placement keeps (node size plus room for a label). */
export const NODE_SPACING = 90;

export function diffGraph(current: CanvasState, next: Elements, remembered: ReadonlyMap<string, Position> = new Map()): GraphDiff {
  const nextNodes = new Map(next.nodes.map((n) => [n.id, n]));
  const isBox = (n: NodeData) => n.nodeType === "box";

  const removeNodes = [...current.nodes.values()]
    .filter((n) => !nextNodes.has(n.data.id))
    .sort((a, b) => Number(isBox(a.data)) - Number(isBox(b.data)))
    .map((n) => n.data.id);
  const nextEdgeIds = new Set(next.edges.map((e) => e.id));
  const removeEdges = [...current.edges.keys()].filter((id) => !nextEdgeIds.has(id));

  const updateNodes: NodeData[] = [];
  const reparent: GraphDiff["reparent"] = [];
  const fresh: NodeData[] = [];
  for (const n of next.nodes) {
    const drawn = current.nodes.get(n.id);
    if (!drawn) {
      fresh.push(n);
      continue;
    }
    if ((drawn.data.parent ?? null) !== (n.parent ?? null)) reparent.push({ id: n.id, parent: n.parent ?? null });
    if (!sameData(drawn.data, n)) updateNodes.push(n);
  }
  const updateEdges: EdgeData[] = [];
  const addEdges: EdgeData[] = [];
  for (const e of next.edges) {
    const drawn = current.edges.get(e.id);
    if (!drawn) addEdges.push(e);
    else if (!sameData(drawn, e)) updateEdges.push(e);
  }

  // Positions known after this refresh: what stays on the canvas, then what comes back.
  const known = new PositionGrid();
  for (const [id, n] of current.nodes) if (nextNodes.has(id) && !isBox(n.data)) known.set(id, n.position);
  const positions = new Map<string, Position>();
  for (const n of fresh) {
    const p = remembered.get(n.id);
    if (p && !isBox(n)) {
      positions.set(n.id, p);
      known.set(n.id, p);
    }
  }
  const fullLayout = known.size === 0;
  const placed: string[] = [];
  if (!fullLayout) {
    const neighbours = adjacency(next.edges);
    const pending = fresh.filter((n) => !isBox(n) && !positions.has(n.id));
    // Place nodes next to placed neighbours first; a chain of new nodes grows outwards from them.
    while (pending.length > 0) {
      let progressed = false;
      for (let i = 0; i < pending.length; i++) {
        const n = pending[i]!;
        const anchors = (neighbours.get(n.id) ?? []).flatMap((id) => (known.has(id) ? [known.get(id)!] : []));
        if (anchors.length === 0) continue;
        const p = freeSpot(centroid(anchors), known);
        positions.set(n.id, p);
        known.set(n.id, p);
        placed.push(n.id);
        pending.splice(i--, 1);
        progressed = true;
      }
      if (progressed) continue;
      // Nothing left touches a placed node: start the next one beside the drawing.
      const n = pending.shift()!;
      const p = freeSpot(besideDrawing(known), known);
      positions.set(n.id, p);
      known.set(n.id, p);
      placed.push(n.id);
    }
  }

  const boxesFirst = [...fresh].sort((a, b) => boxDepth(b) - boxDepth(a));
  return {
    addNodes: boxesFirst.map((n) => (positions.has(n.id) ? { data: n, position: positions.get(n.id)! } : { data: n })),
    addEdges,
    updateNodes,
    updateEdges,
    reparent,
    removeEdges,
    removeNodes,
    placed,
    fullLayout,
  };
}

/** Namespace boxes hold app boxes, which hold leaves: adding in this order gives every parent first. */
function boxDepth(n: NodeData): number {
  if (n.nodeType !== "box") return 0;
  return n.box === "namespace" ? 2 : 1;
}

function adjacency(edges: readonly EdgeData[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = out.get(a);
    if (list) list.push(b);
    else out.set(a, [b]);
  };
  for (const e of edges) {
    link(e.source, e.target);
    link(e.target, e.source);
  }
  return out;
}

/**
 * Known positions, bucketed in cells of NODE_SPACING so the free-spot check looks at nine
 * cells instead of every node (placing a new namespace's nodes into a 1,000-node drawing).
 */
export class PositionGrid {
  private readonly byId = new Map<string, Position>();
  private readonly cells = new Map<string, Position[]>();

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): Position | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<Position> {
    return this.byId.values();
  }

  set(id: string, p: Position): void {
    this.byId.set(id, p);
    const key = cellKey(Math.floor(p.x / NODE_SPACING), Math.floor(p.y / NODE_SPACING));
    const cell = this.cells.get(key);
    if (cell) cell.push(p);
    else this.cells.set(key, [p]);
  }

  /** No known node closer than NODE_SPACING. */
  isClear(p: Position): boolean {
    const cx = Math.floor(p.x / NODE_SPACING);
    const cy = Math.floor(p.y / NODE_SPACING);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const q of this.cells.get(cellKey(cx + dx, cy + dy)) ?? []) if (Math.hypot(p.x - q.x, p.y - q.y) < NODE_SPACING) return false;
      }
    }
    return true;
  }
}

function cellKey(x: number, y: number): string {
  return `${x},${y}`;
}

function centroid(points: readonly Position[]): Position {
  let x = 0;
  let y = 0;
  for (const p of points) {
    x += p.x;
    y += p.y;
  }
  return { x: x / points.length, y: y / points.length };
}

/** Right of everything drawn, level with its middle. */
function besideDrawing(known: PositionGrid): Position {
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of known.values()) {
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  return { x: maxX + NODE_SPACING * 1.5, y: (minY + maxY) / 2 };
}

/**
 * The first point on rings of growing radius around `center` (12 directions each, starting
 * to the right, where Kiali's left-to-right graphs have room) that keeps NODE_SPACING from
 * every known node. Deterministic, so the same refresh places nodes the same way.
 */
export function freeSpot(center: Position, known: PositionGrid): Position {
  for (let ring = 1; ring <= 40; ring++) {
    const r = ring * NODE_SPACING;
    const steps = 12 * ring;
    for (let i = 0; i < steps; i++) {
      const a = (2 * Math.PI * i) / steps;
      const p = { x: Math.round(center.x + r * Math.cos(a)), y: Math.round(center.y + r * Math.sin(a)) };
      if (known.isClear(p)) return p;
    }
  }
  return { x: center.x + NODE_SPACING, y: center.y };
}

/** Shallow comparison of element data (arrays by value): only real changes touch cytoscape. */
export function sameData(a: object, b: object): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) {
    const x = ra[k];
    const y = rb[k];
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i])) continue;
    return false;
  }
  return true;
}
