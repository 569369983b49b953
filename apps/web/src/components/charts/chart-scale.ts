/**
 * The arithmetic behind LineChart: axis ranges and "nice" ticks (1, 2, 5 x 10^n, as
 * d3-scale and Grafana choose them), time ticks on round clock steps, value formatting
 * by unit, and the sample nearest to the pointer. Pure, so the chart stays a thin view.
 */

export type Point = readonly [number, number];

export interface Extent {
  min: number;
  max: number;
}

/** The smallest and largest x and y over every series; undefined when there are no points. */
export function extents(series: readonly (readonly Point[])[]): { x: Extent; y: Extent } | undefined {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const points of series) {
    for (const [x, y] of points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  }
  if (xMin === Infinity) return undefined;
  return { x: { min: xMin, max: xMax }, y: { min: yMin, max: yMax } };
}

/** A tick step of 1, 2 or 5 times a power of ten that gives about `count` intervals over `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || count < 1) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  // d3-array's tickStep thresholds: round to whichever of 1, 2, 5, 10 is nearest on a log scale.
  const error = raw / power;
  const nice = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return nice * power;
}

/**
 * The y axis: starts at zero for rates, percentages and durations (none of them is ever
 * negative, and a zero baseline keeps small changes from looking dramatic), and ends on a
 * tick at or above the largest value. A flat zero line gets the range 0..1.
 */
export function yAxis(y: Extent, count = 4): { min: number; max: number; ticks: number[] } {
  const min = Math.min(0, y.min);
  const top = y.max > min ? y.max : min + 1;
  const step = niceStep(top - min, count);
  const max = Math.ceil(top / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step / 2; v += step) ticks.push(roundTo(v, step));
  return { min, max, ticks };
}

const TIME_STEPS_S = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Time ticks (unix seconds) on round clock steps, about `count` of them over the range. */
export function timeTicks(x: Extent, count = 5): number[] {
  const span = x.max - x.min;
  if (!(span > 0)) return [x.min];
  const step = TIME_STEPS_S.find((s) => span / s <= count) ?? TIME_STEPS_S[TIME_STEPS_S.length - 1]!;
  const ticks: number[] = [];
  for (let t = Math.ceil(x.min / step) * step; t <= x.max; t += step) ticks.push(t);
  return ticks;
}

/** A clock label in the browser's zone: seconds only when the range is short enough to need them. */
export function formatTime(unixSeconds: number, spanSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const hh = String(d.getHours()).padStart(2, "0");
  const mm = String(d.getMinutes()).padStart(2, "0");
  if (spanSeconds <= 300) return `${hh}:${mm}:${String(d.getSeconds()).padStart(2, "0")}`;
  if (spanSeconds > 86400) return `${d.getMonth() + 1}/${d.getDate()} ${hh}:${mm}`;
  return `${hh}:${mm}`;
}

/** A value for an axis or a tooltip: few significant digits, thousands as k. */
export function formatValue(value: number, unit = ""): string {
  const suffix = unit ? (unit === "%" ? "%" : ` ${unit}`) : "";
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  let text: string;
  if (abs >= 10_000) text = `${trim((value / 1000).toFixed(abs >= 100_000 ? 0 : 1))}k`;
  else if (abs >= 100 || abs === 0) text = trim(value.toFixed(0));
  else if (abs >= 10) text = trim(value.toFixed(1));
  else if (abs >= 0.01) text = trim(value.toFixed(2));
  else text = value.toExponential(1);
  return text + suffix;
}

/**
 * The index of the point whose x is nearest `x` in points sorted by x (Prometheus range
 * results are), or -1 for no points. Binary search: hovering a day of 5 s samples stays cheap.
 */
export function nearestIndex(points: readonly Point[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(points[lo - 1]![0] - x) <= Math.abs(points[lo]![0] - x)) return lo - 1;
  return lo;
}

/**
 * An SVG path through the points, broken where consecutive samples are further apart than
 * `gap` (Prometheus leaves out steps without data; joining across them would invent values).
 */
export function linePath(points: readonly Point[], sx: (x: number) => number, sy: (y: number) => number, gap: number): string {
  let d = "";
  let prev: number | undefined;
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) {
      prev = undefined;
      continue;
    }
    const move = prev === undefined || x - prev > gap;
    d += `${move ? "M" : "L"}${round1(sx(x))},${round1(sy(y))}`;
    prev = x;
  }
  return d;
}

/** The usual spacing of the samples (their smallest positive x difference); 0 for fewer than two. */
export function sampleInterval(points: readonly Point[]): number {
  let best = Infinity;
  for (let i = 1; i < points.length; i++) {
    const d = points[i]![0] - points[i - 1]![0];
    if (d > 0 && d < best) best = d;
  }
  return best === Infinity ? 0 : best;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function roundTo(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(digits, 12)));
}

function trim(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}
