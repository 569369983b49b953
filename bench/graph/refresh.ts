// Judges a refresh from node positions read before and after it: did any node already
// drawn move (model coordinates, and on screen, since a pan or zoom moves everything the
// user sees), and where did the new nodes land relative to their neighbours.
import { median } from "./breakdown.ts";
import type { NodePosition } from "./browser.ts";

/** A node counts as moved past this distance: less is floating-point noise. */
export const MOVE_TOLERANCE_PX = 0.5;

export interface RefreshOutcome {
  /** Leaf nodes drawn before and after (boxes follow their children and are left out). */
  compared: number;
  moved: number;
  maxDisplacementPx: number;
  /** The same on screen: a changed pan or zoom shows up here, not above. */
  movedOnScreen: number;
  maxScreenDisplacementPx: number;
  /** Nodes gone after the refresh (their traffic left the window). */
  removed: number;
  /** New nodes expected, and how many of them were drawn at a finite position. */
  newExpected: number;
  newPlaced: number;
  /** Median over new nodes of the distance to their nearest drawn neighbour, and the graph's median edge length for scale. */
  newNeighbourDistancePx: number;
  medianEdgeLengthPx: number;
  /** New nodes whose centre lies within `overlapPx` of another leaf node's centre. */
  newOverlapping: number;
  /** Those pairs, `new id ~ other id`, for the log. */
  overlaps: string[];
}

export interface PositionSnapshot {
  nodes: NodePosition[];
}

export function analyseRefresh(
  before: PositionSnapshot,
  after: PositionSnapshot,
  newIds: readonly string[],
  neighbours: Readonly<Record<string, readonly string[]>>,
  edges: readonly [string, string][],
  overlapPx = 10,
): RefreshOutcome {
  const leaves = (s: PositionSnapshot) => new Map(s.nodes.filter((n) => !n.parent).map((n) => [n.id, n]));
  const was = leaves(before);
  const now = leaves(after);
  let compared = 0;
  let moved = 0;
  let maxDisplacementPx = 0;
  let movedOnScreen = 0;
  let maxScreenDisplacementPx = 0;
  let removed = 0;
  for (const [id, a] of was) {
    const b = now.get(id);
    if (!b) {
      removed++;
      continue;
    }
    compared++;
    const d = Math.hypot(b.x - a.x, b.y - a.y);
    const ds = Math.hypot(b.rx - a.rx, b.ry - a.ry);
    maxDisplacementPx = Math.max(maxDisplacementPx, d);
    maxScreenDisplacementPx = Math.max(maxScreenDisplacementPx, ds);
    if (d > MOVE_TOLERANCE_PX) moved++;
    if (ds > MOVE_TOLERANCE_PX) movedOnScreen++;
  }

  const placed = newIds.map((id) => now.get(id)).filter((n): n is NodePosition => n !== undefined && Number.isFinite(n.x) && Number.isFinite(n.y));
  const distances: number[] = [];
  const overlaps: string[] = [];
  for (const n of placed) {
    const near = (neighbours[n.id] ?? []).map((id) => now.get(id)).filter((m): m is NodePosition => m !== undefined);
    if (near.length > 0) distances.push(Math.min(...near.map((m) => Math.hypot(m.x - n.x, m.y - n.y))));
    for (const other of now.values()) {
      if (other.id !== n.id && Math.hypot(other.x - n.x, other.y - n.y) < overlapPx) {
        overlaps.push(`${n.id} ~ ${other.id}`);
        break;
      }
    }
  }
  const lengths = edges.flatMap(([s, t]) => {
    const a = now.get(s);
    const b = now.get(t);
    return a && b ? [Math.hypot(a.x - b.x, a.y - b.y)] : [];
  });
  return {
    compared,
    moved,
    maxDisplacementPx,
    movedOnScreen,
    maxScreenDisplacementPx,
    removed,
    newExpected: newIds.length,
    newPlaced: placed.length,
    newNeighbourDistancePx: median(distances),
    medianEdgeLengthPx: median(lengths),
    newOverlapping: overlaps.length,
    overlaps,
  };
}
