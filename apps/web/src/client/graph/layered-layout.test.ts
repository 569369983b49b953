import { describe, expect, it } from "vitest";
import { layeredLayout, LAYERED_DEFAULTS, type LayeredNode } from "./layered-layout.ts";

const leaf = (id: string, namespace = "shop", parent?: string): LayeredNode => ({ id, namespace, isBox: false, name: id, ...(parent ? { parent } : {}) });
const box = (id: string, namespace = "shop"): LayeredNode => ({ id, namespace, isBox: true, name: id });
const e = (source: string, target: string) => ({ source, target });

describe("layeredLayout", () => {
  it("puts each callee one column right of its furthest caller", () => {
    const pos = layeredLayout([leaf("a"), leaf("b"), leaf("c")], [e("a", "b"), e("b", "c"), e("a", "c")]);
    const { columnGap } = LAYERED_DEFAULTS;
    expect(pos.get("b")!.x - pos.get("a")!.x).toBe(columnGap);
    expect(pos.get("c")!.x - pos.get("a")!.x).toBe(2 * columnGap);
  });

  it("stacks an app box's members in one column, next to each other", () => {
    const pos = layeredLayout([leaf("svc"), box("box:app:shop:r"), leaf("r1", "shop", "box:app:shop:r"), leaf("r2", "shop", "box:app:shop:r"), leaf("ratings")], [e("svc", "r1"), e("svc", "r2"), e("r2", "ratings")]);
    expect(pos.get("r1")!.x).toBe(pos.get("r2")!.x);
    expect(Math.abs(pos.get("r1")!.y - pos.get("r2")!.y)).toBe(LAYERED_DEFAULTS.rowGap);
    expect(pos.get("ratings")!.x).toBeGreaterThan(pos.get("r2")!.x);
    expect(pos.has("box:app:shop:r")).toBe(false);
  });

  it("lays out a cycle without losing a node", () => {
    const pos = layeredLayout([leaf("a"), leaf("b"), leaf("c")], [e("a", "b"), e("b", "c"), e("c", "a")]);
    expect(pos.size).toBe(3);
    expect(new Set([...pos.values()].map((p) => p.x)).size).toBe(3);
  });

  it("never puts two leaves on the same spot", () => {
    const nodes: LayeredNode[] = [];
    const edges: { source: string; target: string }[] = [];
    for (let ns = 0; ns < 4; ns++) {
      for (let i = 0; i < 30; i++) {
        nodes.push(leaf(`n${ns}-${i}`, `ns${ns}`));
        if (i > 0) edges.push(e(`n${ns}-${Math.floor(i / 3)}`, `n${ns}-${i}`));
      }
    }
    edges.push(e("n0-5", "n3-7"));
    const pos = layeredLayout(nodes, edges);
    const spots = new Set([...pos.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(nodes.length);
  });

  it("packs namespaces side by side and in rows, apart from each other", () => {
    const nodes = ["a", "b", "c", "d"].flatMap((ns) => [leaf(`${ns}1`, ns), leaf(`${ns}2`, ns)]);
    const edges = ["a", "b", "c", "d"].map((ns) => e(`${ns}1`, `${ns}2`));
    const pos = layeredLayout(nodes, edges, { aspect: 1 });
    const xs = new Set(["a1", "b1", "c1", "d1"].map((id) => pos.get(id)!.x));
    const ys = new Set(["a1", "b1", "c1", "d1"].map((id) => pos.get(id)!.y));
    expect(xs.size).toBeGreaterThan(1);
    expect(ys.size).toBeGreaterThan(1);
  });

  it("orders a column by where the callers sit", () => {
    // top caller t calls x, bottom caller b calls y: x should sit above y whatever their names
    const pos = layeredLayout([leaf("a-top"), leaf("b-bottom"), leaf("z-x"), leaf("c-y")], [e("a-top", "z-x"), e("b-bottom", "c-y")]);
    expect(pos.get("z-x")!.y).toBeLessThan(pos.get("c-y")!.y);
  });
});
