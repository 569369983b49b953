/**
 * Weight maths for the traffic-shifting wizard. Istio splits a route's traffic by
 * integer weights; the console keeps them summing to 100 so that each number reads as a
 * percentage. Locked rows keep their weight while the others rebalance.
 */

export const TOTAL = 100;

export interface WeightRow {
  subset: string;
  weight: number;
  locked: boolean;
}

/**
 * Integers summing exactly to `total`, as close as possible to `shares` scaled to it
 * (Hamilton's largest-remainder method; ties go to the earlier row so the result is stable).
 */
export function roundToTotal(shares: readonly number[], total: number): number[] {
  if (shares.length === 0) return [];
  const sum = shares.reduce((a, b) => a + Math.max(0, b), 0);
  const exact = shares.map((s) => (sum > 0 ? (Math.max(0, s) / sum) * total : total / shares.length));
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, rest: e - floors[i]! })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return floors;
}

export function totalOf(rows: readonly WeightRow[]): number {
  return rows.reduce((a, r) => a + r.weight, 0);
}

function lockedTotal(rows: readonly WeightRow[], except = -1): number {
  return rows.reduce((a, r, i) => (r.locked && i !== except ? a + r.weight : a), 0);
}

/** Unlocked rows share what the locked ones leave, evenly; locked rows keep their weight. */
export function evenSplit(rows: readonly WeightRow[]): WeightRow[] {
  const free = rows.map((r, i) => (r.locked ? -1 : i)).filter((i) => i >= 0);
  if (free.length === 0) return rows.map((r) => ({ ...r }));
  const share = roundToTotal(
    free.map(() => 1),
    Math.max(0, TOTAL - lockedTotal(rows)),
  );
  return rows.map((r, i) => (r.locked ? { ...r } : { ...r, weight: share[free.indexOf(i)]! }));
}

/**
 * Sets one row's weight and rebalances the other unlocked rows in proportion to their
 * current weights (evenly when they are all 0) so the total stays 100. The value is
 * clamped to what the locked rows leave. When no other row is free to move, the row takes
 * the value as given and the total shows the difference.
 */
export function setWeight(rows: readonly WeightRow[], index: number, value: number): WeightRow[] {
  const row = rows[index];
  if (!row || row.locked || !Number.isFinite(value)) return rows.map((r) => ({ ...r }));
  const others = rows.map((r, i) => (r.locked || i === index ? -1 : i)).filter((i) => i >= 0);
  const wanted = Math.round(Math.min(TOTAL, Math.max(0, value)));
  if (others.length === 0) return rows.map((r, i) => (i === index ? { ...r, weight: wanted } : { ...r }));
  const room = Math.max(0, TOTAL - lockedTotal(rows, index));
  const weight = Math.min(wanted, room);
  const shares = roundToTotal(
    others.map((i) => rows[i]!.weight),
    room - weight,
  );
  return rows.map((r, i) => {
    if (i === index) return { ...r, weight };
    const k = others.indexOf(i);
    return k >= 0 ? { ...r, weight: shares[k]! } : { ...r };
  });
}

export function setLocked(rows: readonly WeightRow[], index: number, locked: boolean): WeightRow[] {
  return rows.map((r, i) => (i === index ? { ...r, locked } : { ...r }));
}

/**
 * Weights read from an existing route, turned into percentages: Istio weights are
 * relative (80/20 and 8/2 split alike), and a destination without a weight takes the
 * whole route when it is the only one.
 */
export function percentagesOf(weights: readonly (number | undefined)[]): number[] {
  if (weights.length === 0) return [];
  if (weights.length === 1) return [TOTAL];
  return roundToTotal(
    weights.map((w) => w ?? 0),
    TOTAL,
  );
}
