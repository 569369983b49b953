import { describe, expect, it } from "vitest";
import { diffGraph, freeSpot, NODE_SPACING, PositionGrid, sameData, type CanvasState, type Position } from "./diff.ts";
import type { EdgeData, Elements, NodeData } from "./elements.ts";

const node = (id: string, extra: Partial<NodeData> = {}): NodeData => ({
  id,
  nodeType: "app",
  namespace: "shop",
  health: "healthy",
  badges: [],
  rate: 1,
  errorRate: 0,
  isRoot: false,
  isOutside: false,
  label: id,
  ...extra,
});
const box = (id: string, kind: "app" | "namespace", parent?: string): NodeData => node(id, { nodeType: "box", box: kind, ...(parent ? { parent } : {}) });
const edge = (source: string, target: string, extra: Partial<EdgeData> = {}): EdgeData => ({
  id: `${source}->${target}:http`,
  source,
  target,
  protocol: "http",
  health: "healthy",
  isMTLS: 100,
  rate: 1,
  errorRate: 0,
  labelRate: "1 rps",
  labelErrorRate: "",
  labelP95: "",
  ...extra,
});

function canvas(nodes: [NodeData, Position][], edges: EdgeData[] = []): CanvasState {
  return { nodes: new Map(nodes.map(([data, position]) => [data.id, { data, position }])), edges: new Map(edges.map((e) => [e.id, e])) };
}

const dist = (a: Position, b: Position) => Math.hypot(a.x - b.x, a.y - b.y);

describe("diffGraph", () => {
  it("asks for a full layout when nothing is drawn", () => {
    const next: Elements = { nodes: [node("a"), node("b")], edges: [edge("a", "b")] };
    const d = diffGraph(canvas([]), next);
    expect(d.fullLayout).toBe(true);
    expect(d.addNodes.map((n) => n.data.id)).toEqual(["a", "b"]);
    expect(d.addNodes.every((n) => n.position === undefined)).toBe(true);
    expect(d.addEdges).toHaveLength(1);
  });

  it("changes nothing when the graph is the same", () => {
    const a = node("a");
    const b = node("b");
    const e = edge("a", "b");
    const d = diffGraph(canvas([[a, { x: 0, y: 0 }], [b, { x: 100, y: 0 }]], [e]), { nodes: [a, b], edges: [e] });
    expect(d).toEqual({ addNodes: [], addEdges: [], updateNodes: [], updateEdges: [], reparent: [], removeEdges: [], removeNodes: [], placed: [], fullLayout: false });
  });

  it("updates changed data in place and never positions an existing node", () => {
    const a = node("a");
    const e = edge("a", "b");
    const d = diffGraph(canvas([[a, { x: 0, y: 0 }], [node("b"), { x: 100, y: 0 }]], [e]), {
      nodes: [a, node("b", { health: "failure", errorRate: 50 })],
      edges: [edge("a", "b", { rate: 5, labelRate: "5 rps" })],
    });
    expect(d.updateNodes.map((n) => n.id)).toEqual(["b"]);
    expect(d.updateEdges.map((n) => n.rate)).toEqual([5]);
    expect(d.addNodes).toEqual([]);
  });

  it("places a new node beside its neighbour, clear of every drawn node", () => {
    const drawn: [NodeData, Position][] = [
      [node("a"), { x: 0, y: 0 }],
      [node("b"), { x: 300, y: 0 }],
      [node("c"), { x: 600, y: 0 }],
    ];
    const d = diffGraph(canvas(drawn), { nodes: [node("a"), node("b"), node("c"), node("new")], edges: [edge("b", "new")] });
    expect(d.fullLayout).toBe(false);
    expect(d.placed).toEqual(["new"]);
    const p = d.addNodes[0]!.position!;
    expect(dist(p, { x: 300, y: 0 })).toBeLessThanOrEqual(NODE_SPACING);
    for (const [, q] of drawn) expect(dist(p, q)).toBeGreaterThanOrEqual(NODE_SPACING);
  });

  it("places a node between its two neighbours when there is room", () => {
    const d = diffGraph(canvas([[node("a"), { x: 0, y: 0 }], [node("b"), { x: 400, y: 0 }]]), {
      nodes: [node("a"), node("b"), node("mid")],
      edges: [edge("a", "mid"), edge("mid", "b")],
    });
    const p = d.addNodes[0]!.position!;
    expect(dist(p, { x: 200, y: 0 })).toBeLessThanOrEqual(NODE_SPACING);
  });

  it("grows a chain of new nodes outwards from the drawn one", () => {
    const d = diffGraph(canvas([[node("a"), { x: 0, y: 0 }]]), {
      nodes: [node("a"), node("b"), node("c")],
      edges: [edge("a", "b"), edge("b", "c")],
    });
    const pos = new Map(d.addNodes.map((n) => [n.data.id, n.position!]));
    expect(dist(pos.get("b")!, { x: 0, y: 0 })).toBeLessThanOrEqual(NODE_SPACING);
    expect(dist(pos.get("c")!, pos.get("b")!)).toBeLessThanOrEqual(NODE_SPACING * 1.01);
  });

  it("puts an unconnected new node beside the drawing", () => {
    const d = diffGraph(canvas([[node("a"), { x: 0, y: 0 }], [node("b"), { x: 0, y: 200 }]]), { nodes: [node("a"), node("b"), node("alone")], edges: [] });
    expect(d.addNodes[0]!.position!.x).toBeGreaterThan(NODE_SPACING);
  });

  it("brings a node seen earlier back where it was", () => {
    const d = diffGraph(canvas([[node("a"), { x: 0, y: 0 }]]), { nodes: [node("a"), node("back")], edges: [edge("a", "back")] }, new Map([["back", { x: -500, y: 40 }]]));
    expect(d.addNodes).toEqual([{ data: node("back"), position: { x: -500, y: 40 } }]);
    expect(d.placed).toEqual([]);
  });

  it("adds boxes before their members and removes members before their boxes", () => {
    const v1 = node("v1");
    const next: Elements = { nodes: [box("box:ns:a", "namespace"), box("box:app:a", "app", "box:ns:a"), { ...v1, parent: "box:app:a" }, node("v2", { parent: "box:app:a" })], edges: [] };
    const d = diffGraph(canvas([[v1, { x: 0, y: 0 }]]), next);
    expect(d.addNodes.map((n) => n.data.id)).toEqual(["box:ns:a", "box:app:a", "v2"]);
    expect(d.reparent).toEqual([{ id: "v1", parent: "box:app:a" }]);

    const back = diffGraph(
      canvas([
        [box("box:app:a", "app"), { x: 0, y: 0 }],
        [{ ...v1, parent: "box:app:a" }, { x: 0, y: 0 }],
        [node("v2", { parent: "box:app:a" }), { x: 0, y: 80 }],
      ]),
      { nodes: [v1], edges: [] },
    );
    expect(back.removeNodes).toEqual(["v2", "box:app:a"]);
    expect(back.reparent).toEqual([{ id: "v1", parent: null }]);
  });

  it("removes edges that are gone", () => {
    const e = edge("a", "b");
    const d = diffGraph(canvas([[node("a"), { x: 0, y: 0 }], [node("b"), { x: 100, y: 0 }]], [e]), { nodes: [node("a"), node("b")], edges: [] });
    expect(d.removeEdges).toEqual([e.id]);
  });
});

describe("freeSpot", () => {
  it("takes the first clear point of the nearest ring", () => {
    const grid = new PositionGrid();
    grid.set("a", { x: 0, y: 0 });
    expect(freeSpot({ x: 0, y: 0 }, grid)).toEqual({ x: NODE_SPACING, y: 0 });
    grid.set("b", { x: NODE_SPACING, y: 0 });
    const p = freeSpot({ x: 0, y: 0 }, grid);
    expect(grid.isClear(p)).toBe(true);
  });
});

describe("sameData", () => {
  it("compares arrays by value and notices added keys", () => {
    expect(sameData({ badges: ["virtualService"] }, { badges: ["virtualService"] })).toBe(true);
    expect(sameData({ badges: [] }, { badges: ["circuitBreaker"] })).toBe(false);
    expect(sameData({ a: 1 }, { a: 1, p95: 3 })).toBe(false);
  });
});
