// The convergence bench's metric and target rows, and its per-change log table.
import type { BenchMetric, BenchTarget } from "../types.ts";
import { mean, percentile, type ChangeOutcome } from "./analyse.ts";
import type { MeshPlan } from "./mesh.ts";

/** The target: a change reaches every affected sidecar in well under a second. */
export const TARGET_P99_MS = 1000;

export interface RunSummary {
  plan: MeshPlan;
  connected: number;
  /** The sidecars registered for the first time, rather than reconnecting to a control plane that knew them. */
  coldStart: boolean;
  /** The sidecars asked for delta events. */
  deltas: boolean;
  /** Applied before the measured changes, not counted. */
  warmupChanges: number;
  startUp: { seconds: number; snapshots: number; bytes: number };
  outcomes: ChangeOutcome[];
  rssConnectedBytes: number;
  rssPeakBytes: number;
  /** CPU seconds over the measured changes (gaps between them included), and that phase's wall time. */
  cpu: { controlPlane: number; fleets: number; others: number; wallSeconds: number };
}

const MB = 1024 * 1024;

export function metricRows(s: RunSummary): BenchMetric[] {
  const all = s.outcomes;
  const converged = all.flatMap((o) => (o.convergenceMs === undefined ? [] : [o.convergenceMs]));
  const of = (scope: string) => all.filter((o) => o.scope === scope);
  const conv = (os: ChangeOutcome[]) => os.flatMap((o) => (o.convergenceMs === undefined ? [] : [o.convergenceMs]));
  const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
  const meshWide = of("mesh-wide");
  const scoped = of("scoped");
  const snapshotSizes = meshWide.filter((o) => o.snapshots > 0).map((o) => o.bytes / o.snapshots);
  const rows: BenchMetric[] = [
    { name: "sidecars connected (real streams)", value: s.connected, unit: "count" },
    { name: "workloads (services x replicas)", value: s.plan.services * s.plan.workloadsPerService, unit: `${s.plan.services} x ${s.plan.workloadsPerService} in ${s.plan.namespaces} namespaces` },
    { name: `start-up: ${s.coldStart ? "register" : "reconnect"} every sidecar until pushes stop`, value: s.startUp.seconds, unit: "s" },
    { name: "start-up: snapshots pushed", value: s.startUp.snapshots, unit: "count" },
    { name: "start-up: bytes pushed", value: s.startUp.bytes / MB, unit: "MB" },
    { name: "push size per sidecar (mesh-wide changes, mean)", value: mean(snapshotSizes) / 1024, unit: "KiB" },
    { name: "pushes sent as deltas (mesh-wide changes)", value: (100 * sum(meshWide.map((o) => o.deltas))) / Math.max(1, sum(meshWide.map((o) => o.snapshots))), unit: s.deltas ? "%" : "% (--full-snapshots)" },
    { name: `changes measured (after ${s.warmupChanges} warm-up changes)`, value: all.length, unit: `${meshWide.length} mesh-wide, ${scoped.length} scoped` },
    { name: "convergence p50 (apply returned -> last affected ACK)", value: percentile(converged, 50), unit: "ms" },
    { name: "convergence p90", value: percentile(converged, 90), unit: "ms" },
    { name: "convergence p99", value: percentile(converged, 99), unit: "ms" },
    { name: "convergence max", value: percentile(converged, 100), unit: "ms" },
    { name: "convergence p50, mesh-wide changes", value: percentile(conv(meshWide), 50), unit: "ms" },
    { name: "convergence p50, scoped changes", value: percentile(conv(scoped), 50), unit: "ms" },
    { name: "first snapshot after apply, p50", value: percentile(defined(all.map((o) => o.firstPushMs)), 50), unit: "ms" },
    { name: "last affected snapshot received, p50", value: percentile(defined(all.map((o) => o.lastReceiveMs)), 50), unit: "ms" },
    { name: "apply call (validate + commit), p50", value: percentile(all.map((o) => o.applyMs), 50), unit: "ms" },
    { name: "pushes per change, mean", value: mean(all.map((o) => o.pushed)), unit: "sidecars" },
    { name: "pushes per mesh-wide change, mean", value: mean(meshWide.map((o) => o.pushed)), unit: "sidecars" },
    { name: "pushes per scoped change, mean", value: mean(scoped.map((o) => o.pushed)), unit: "sidecars" },
    { name: "bytes pushed per mesh-wide change, mean", value: mean(meshWide.map((o) => o.bytes)) / MB, unit: "MB" },
    { name: "unaffected sidecars pushed (all changes)", value: sum(all.map((o) => o.unexpected)), unit: "count" },
    { name: "affected sidecars that never ACKed (all changes)", value: sum(all.map((o) => o.missed)), unit: "count" },
    { name: `control plane RSS, ${s.connected} sidecars connected`, value: s.rssConnectedBytes / MB, unit: "MB" },
    { name: "control plane peak RSS during the changes", value: s.rssPeakBytes / MB, unit: "MB" },
    { name: "control plane CPU during the changes", value: s.cpu.controlPlane / s.cpu.wallSeconds, unit: "cores (mean)" },
    { name: "control plane CPU per mesh-wide change", value: mean(meshWide.map((o) => o.controlPlaneCpuSeconds)), unit: "CPU s" },
    { name: "control plane CPU per scoped change", value: mean(scoped.map((o) => o.controlPlaneCpuSeconds)), unit: "CPU s" },
    { name: "fleet processes' CPU during the changes", value: s.cpu.fleets / s.cpu.wallSeconds, unit: "cores (mean)" },
    // Processes that are not the bench's (a neighbour's build): above ~0.2 cores, distrust the times.
    { name: "noise, other processes' CPU during the changes", value: s.cpu.others / s.cpu.wallSeconds, unit: "cores (mean)" },
  ];
  return rows.filter((r) => Number.isFinite(r.value));
}

export function targetRows(s: RunSummary): BenchTarget[] {
  const converged = s.outcomes.flatMap((o) => (o.convergenceMs === undefined ? [] : [o.convergenceMs]));
  const failed = s.outcomes.filter((o) => o.convergenceMs === undefined && o.expected > 0).length;
  const p99 = percentile(converged, 99);
  const unexpected = sum(s.outcomes.map((o) => o.unexpected));
  const missed = sum(s.outcomes.map((o) => o.missed));
  return [
    {
      name: `convergence p99 < ${TARGET_P99_MS} ms (${s.connected} sidecars)`,
      measured: failed > 0 ? `${failed} change(s) never converged; p99 of the rest ${p99.toFixed(0)} ms` : `${p99.toFixed(0)} ms (p50 ${percentile(converged, 50).toFixed(0)} ms, ${converged.length} changes)`,
      met: failed === 0 && p99 < TARGET_P99_MS,
    },
    {
      name: "every affected sidecar ACKs each change, no other is pushed",
      measured: `${missed} missed, ${unexpected} unaffected pushed`,
      met: missed === 0 && unexpected === 0,
    },
  ];
}

/** One line per change, for the log. */
export function outcomeLine(o: ChangeOutcome): string {
  const ms = (v: number | undefined) => (v === undefined ? "-" : `${v.toFixed(0)} ms`);
  return [
    `#${String(o.index).padStart(2)}`,
    `converged ${ms(o.convergenceMs).padStart(8)}`,
    `first push ${ms(o.firstPushMs).padStart(7)}`,
    `apply ${ms(o.applyMs).padStart(7)}`,
    `pushed ${String(o.pushed).padStart(4)}/${String(o.expected).padEnd(4)}`,
    `cp cpu ${o.controlPlaneCpuSeconds.toFixed(2)} s`,
    ...(o.missed > 0 ? [`MISSED ${o.missed}`] : []),
    ...(o.unexpected > 0 ? [`UNEXPECTED ${o.unexpected}`] : []),
    o.label,
  ].join("  ");
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
