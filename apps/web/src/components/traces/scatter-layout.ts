/**
 * Where each trace sits on the duration-over-time scatter: x by start time, y by duration
 * (from zero), dot area by span count. Pure arithmetic over the chart's own scales.
 */
import { formatTime, timeTicks, yAxis } from "../charts/chart-scale";
import type { TraceSummary } from "./trace-model";

export const SCATTER_MARGIN = { top: 10, right: 16, bottom: 24, left: 56 };

export interface ScatterDot {
  traceId: string;
  cx: number;
  cy: number;
  r: number;
  error: boolean;
}

export interface ScatterLayout {
  dots: ScatterDot[];
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
}

/** Radius from span count: area grows with spans, 3 px for one span, capped so a huge trace does not cover the rest. */
export function dotRadius(spans: number): number {
  return Math.min(14, 3 + Math.sqrt(Math.max(0, spans - 1)) * 1.6);
}

export function scatterLayout(traces: readonly TraceSummary[], width: number, height: number): ScatterLayout {
  const plotW = Math.max(1, width - SCATTER_MARGIN.left - SCATTER_MARGIN.right);
  const plotH = Math.max(1, height - SCATTER_MARGIN.top - SCATTER_MARGIN.bottom);
  if (traces.length === 0) return { dots: [], xTicks: [], yTicks: [] };
  let t0 = Infinity;
  let t1 = -Infinity;
  let dMax = 0;
  for (const t of traces) {
    t0 = Math.min(t0, t.startUs / 1e6);
    t1 = Math.max(t1, t.startUs / 1e6);
    dMax = Math.max(dMax, t.durationUs / 1000);
  }
  // A lone trace (or one instant) still gets a readable minute around it.
  if (t1 - t0 < 1) [t0, t1] = [t0 - 30, t1 + 30];
  const y = yAxis({ min: 0, max: dMax });
  const sx = (s: number) => SCATTER_MARGIN.left + ((s - t0) / (t1 - t0)) * plotW;
  const sy = (ms: number) => SCATTER_MARGIN.top + plotH - ((ms - y.min) / (y.max - y.min)) * plotH;
  const dots = traces.map((t) => ({ traceId: t.traceId, cx: sx(t.startUs / 1e6), cy: sy(t.durationUs / 1000), r: dotRadius(t.spanCount), error: t.errorCount > 0 }));
  // Errors last, so a red dot is never hidden under a grey one.
  dots.sort((a, b) => Number(a.error) - Number(b.error));
  return {
    dots,
    xTicks: timeTicks({ min: t0, max: t1 }).map((s) => ({ x: sx(s), label: formatTime(s, t1 - t0) })),
    yTicks: y.ticks.map((ms) => ({ y: sy(ms), label: ms >= 1000 ? `${ms / 1000}s` : `${ms}ms` })),
  };
}
