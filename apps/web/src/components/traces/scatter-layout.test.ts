import { describe, expect, it } from "vitest";
import { dotRadius, SCATTER_MARGIN, scatterLayout } from "./scatter-layout";
import type { TraceSummary } from "./trace-model";

const trace = (id: string, startS: number, durationMs: number, spans: number, errors = 0): TraceSummary => ({
  traceId: id,
  startUs: startS * 1e6,
  durationUs: durationMs * 1000,
  spanCount: spans,
  errorCount: errors,
  rootService: "traffic.shop",
  rootOperation: "productpage.shop.svc.cluster.local:9080/*",
  services: [],
});

describe("scatterLayout", () => {
  const width = 456;
  const height = 234;
  const plotW = width - SCATTER_MARGIN.left - SCATTER_MARGIN.right;
  const plotH = height - SCATTER_MARGIN.top - SCATTER_MARGIN.bottom;

  it("places the earliest trace at the left, the latest at the right, durations from a zero baseline", () => {
    const l = scatterLayout([trace("a", 1000, 50, 3), trace("b", 1060, 100, 9, 1)], width, height);
    const a = l.dots.find((d) => d.traceId === "a")!;
    const b = l.dots.find((d) => d.traceId === "b")!;
    expect(a.cx).toBe(SCATTER_MARGIN.left);
    expect(b.cx).toBe(SCATTER_MARGIN.left + plotW);
    expect(b.cy).toBe(SCATTER_MARGIN.top);
    expect(a.cy).toBeCloseTo(SCATTER_MARGIN.top + plotH / 2);
    expect([a.error, b.error]).toEqual([false, true]);
    expect(l.yTicks.map((t) => t.label)).toEqual(["0ms", "20ms", "40ms", "60ms", "80ms", "100ms"]);
  });

  it("draws error dots last so they stay visible", () => {
    const l = scatterLayout([trace("e", 1000, 10, 2, 1), trace("ok", 1001, 10, 2)], width, height);
    expect(l.dots.map((d) => d.traceId)).toEqual(["ok", "e"]);
  });

  it("centres a lone trace in a minute-wide window", () => {
    const [d] = scatterLayout([trace("a", 1000, 20, 1)], width, height).dots;
    expect(d!.cx).toBeCloseTo(SCATTER_MARGIN.left + plotW / 2);
  });

  it("is empty without traces", () => {
    expect(scatterLayout([], width, height)).toEqual({ dots: [], xTicks: [], yTicks: [] });
  });

  it("grows dots with span count, within bounds", () => {
    expect(dotRadius(1)).toBe(3);
    expect(dotRadius(10)).toBeGreaterThan(dotRadius(5));
    expect(dotRadius(10_000)).toBe(14);
  });
});
