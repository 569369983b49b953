// What one change did, from the snapshots the fleets recorded: who was pushed, whether
// every affected sidecar ACKed, and how long after the apply returned. Pure.
import type { SnapshotRecord } from "./protocol.ts";

export interface ChangeOutcome {
  index: number;
  label: string;
  scope: string;
  /** Sidecars whose snapshot the change alters. */
  expected: number;
  /** Sidecars sent at least one snapshot after the apply. */
  pushed: number;
  /** Pushed although the change does not alter their snapshot. */
  unexpected: number;
  /** Affected, but no ACK of a new snapshot was recorded. */
  missed: number;
  /** Snapshots and deltas sent (a sidecar may in principle be sent more than one). */
  snapshots: number;
  /** Of those, deltas. */
  deltas: number;
  bytes: number;
  /** POST /api/v1/apply, request to response. */
  applyMs: number;
  /** From the apply returning to the first snapshot arriving anywhere. */
  firstPushMs: number | undefined;
  /** From the apply returning to the last affected sidecar's snapshot arriving. */
  lastReceiveMs: number | undefined;
  /** From the apply returning to the last affected sidecar's ACK being accepted; undefined when some never did. */
  convergenceMs: number | undefined;
  /** The control plane's CPU seconds from the apply call until every affected sidecar had ACKed. */
  controlPlaneCpuSeconds: number;
}

export interface ChangeTimes {
  applyStart: number;
  applyEnd: number;
}

export function analyseChange(
  change: { index: number; label: string; scope: string },
  expected: ReadonlySet<string>,
  records: readonly SnapshotRecord[],
  times: ChangeTimes,
  controlPlaneCpuSeconds: number,
): ChangeOutcome {
  // A sidecar's last snapshot of the change is the version it ends on.
  const last = new Map<string, SnapshotRecord>();
  for (const r of records) {
    const seen = last.get(r.sidecar);
    if (!seen || r.receivedAt >= seen.receivedAt) last.set(r.sidecar, r);
  }
  let missed = 0;
  let lastAck = -Infinity;
  let lastReceive = -Infinity;
  for (const key of expected) {
    const r = last.get(key);
    if (r?.ackedAt === undefined) {
      missed++;
      continue;
    }
    lastAck = Math.max(lastAck, r.ackedAt);
    lastReceive = Math.max(lastReceive, r.receivedAt);
  }
  const firstReceive = records.reduce((min, r) => Math.min(min, r.receivedAt), Infinity);
  const since = (t: number) => (Number.isFinite(t) ? t - times.applyEnd : undefined);
  return {
    index: change.index,
    label: change.label,
    scope: change.scope,
    expected: expected.size,
    pushed: last.size,
    unexpected: [...last.keys()].filter((k) => !expected.has(k)).length,
    missed,
    snapshots: records.length,
    deltas: records.filter((r) => r.delta).length,
    bytes: records.reduce((sum, r) => sum + r.bytes, 0),
    applyMs: times.applyEnd - times.applyStart,
    firstPushMs: since(firstReceive),
    lastReceiveMs: expected.size === 0 ? undefined : since(lastReceive),
    convergenceMs: missed > 0 || expected.size === 0 ? undefined : lastAck - times.applyEnd,
    controlPlaneCpuSeconds,
  };
}

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
