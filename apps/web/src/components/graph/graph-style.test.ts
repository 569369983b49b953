import { describe, expect, it } from "vitest";
import { DETAIL_ZOOM, graphStyle, isOverview } from "./graph-style.ts";

function block(sheet: ReturnType<typeof graphStyle>, selector: string): Record<string, unknown> {
  const found = (sheet as { selector: string; style: Record<string, unknown> }[]).find((b) => b.selector === selector);
  if (!found) throw new Error(`no ${selector} block`);
  return found.style;
}

describe("graphStyle", () => {
  it("labels nodes and edges with the chosen field in the detail drawing", () => {
    for (const lean of [false, true]) {
      const sheet = graphStyle("rate", lean);
      expect(block(sheet, "node").label).toBe("data(label)");
      expect(block(sheet, "edge").label).toBe("data(labelRate)");
      expect(block(sheet, "edge")["target-arrow-shape"]).toBe("triangle");
    }
    expect(block(graphStyle("p95", true), "edge").label).toBe("data(labelP95)");
    expect(block(graphStyle("none", true), "edge").label).toBeUndefined();
  });

  it("draws a big graph's overview without labels or arrows, on haystack edges", () => {
    const sheet = graphStyle("errorRate", true, true);
    expect(block(sheet, "node").label).toBeUndefined();
    expect(block(sheet, "edge").label).toBeUndefined();
    expect(block(sheet, "edge")["curve-style"]).toBe("haystack");
    expect(block(sheet, "edge")["target-arrow-shape"]).toBeUndefined();
  });

  it("keeps bezier edges for small graphs and straight ones for big graphs up close", () => {
    expect(block(graphStyle("rate"), "edge")["curve-style"]).toBe("bezier");
    expect(block(graphStyle("rate", true), "edge")["curve-style"]).toBe("straight");
  });
});

describe("isOverview", () => {
  it("is only ever true for big graphs", () => {
    expect(isOverview(false, 0.05, true)).toBe(false);
    expect(isOverview(false, 0.05, false)).toBe(false);
  });

  it("switches at DETAIL_ZOOM, and starts a big graph as an overview before it is drawn", () => {
    expect(isOverview(true, 1, true)).toBe(true);
    expect(isOverview(true, DETAIL_ZOOM - 0.01, false)).toBe(true);
    expect(isOverview(true, DETAIL_ZOOM, false)).toBe(false);
    expect(isOverview(true, 2, false)).toBe(false);
  });
});
