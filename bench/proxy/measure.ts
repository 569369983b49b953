// One topology's measurement: warm-up, maximum throughput (closed loop), then latency at
// a fixed rate (open loop), with each process's CPU read from /proc around every phase
// and the proxies' resident memory sampled throughout.
import { cpus } from "node:os";
import { LoadGenerator, type ClosedLoopResult, type LoadTarget, type OpenLoopResult } from "./load.ts";
import { cpuTimes, machineBusySeconds, rssBytes, RssSampler, waitForQuietMachine } from "./processes.ts";

export const PLAN = {
  /**
   * Warm-up at full concurrency. Two seconds, not one: with one, V8's optimising compiler
   * still took ~30% of a sidecar's CPU in the next seconds (perf, on this machine).
   */
  warmupSeconds: 2,
  seconds: 5,
  /** Istio's published sidecar numbers are at 1,000 requests per second. */
  rate: 1000,
  /** Closed-loop concurrency, one request per keep-alive connection. */
  connections: 64,
};

export interface ProxyProcess {
  name: string;
  pid: number;
}

export interface Topology {
  label: string;
  target: Omit<LoadTarget, "maxConnections">;
  proxies: ProxyProcess[];
  appPid: number;
}

export interface ProxyUsage {
  name: string;
  /** CPU seconds per 1,000 requests at the fixed rate; equals vCPU per 1,000 req/s. */
  cpuPer1kAtRate: number;
  /** CPU seconds per 1,000 requests at maximum throughput. */
  cpuPer1kAtMax: number;
  /** Share of the CPU at maximum throughput spent in the kernel (system time). */
  kernelShareAtMax: number;
  peakRssBytes: number;
  /** The peak's own part (RssAnon: JS heap, malloc, stacks) and its mapped-file part (RssFile: the binary and libraries, shared). */
  peakRssAnonBytes: number;
  peakRssFileBytes: number;
  /** RSS just before the warm-up: started and configured, no request served yet. */
  idleRssBytes: number;
}

export interface Measurement {
  label: string;
  fixed: OpenLoopResult;
  max: ClosedLoopResult;
  maxRps: number;
  proxies: ProxyUsage[];
  /** Cores busy during the throughput phase, per role: who had the machine's two cores. */
  coresAtMax: { loadGenerator: number; app: number; proxies: number };
  /**
   * Maximum throughput if the topology had every core to itself: cores / CPU seconds per
   * request of all its processes (load generator and app included). Neighbours on a
   * shared machine move raw req/s a lot and this much less.
   */
  projectedMaxRps: number;
  /** Cores used by processes that are not the bench's, during each phase: noise in the numbers. */
  othersAtRate: number;
  othersAtMax: number;
}

/** CPU times of the measured processes, and the whole machine's busy seconds, at one instant. */
interface CpuSnapshot {
  processes: { user: number; system: number }[];
  machine: number;
}

export async function measureTopology(t: Topology, log: (line: string) => void): Promise<Measurement> {
  await waitForQuietMachine([process.pid, t.appPid, ...t.proxies.map((p) => p.pid)], log);
  const load = await LoadGenerator.start({ ...t.target, maxConnections: PLAN.connections });
  // Index 0 the load generator, 1 the app, then the proxies; last the bench itself (it
  // samples memory), which counts as ours when telling our CPU from the neighbours'.
  const pids = [load.pid, t.appPid, ...t.proxies.map((p) => p.pid), process.pid];
  const snapshot = (): CpuSnapshot => ({ processes: pids.map(cpuTimes), machine: machineBusySeconds() });
  const idleRss = t.proxies.map((p) => rssBytes(p.pid));
  const rss = new RssSampler(t.proxies.map((p) => p.pid));
  rss.start();
  try {
    check(t.label, "warm-up", await load.closedLoop(PLAN.warmupSeconds, PLAN.connections));
    const s0 = snapshot();
    const max = check(t.label, "max throughput", await load.closedLoop(PLAN.seconds, PLAN.connections));
    const s1 = snapshot();
    // Let the collector catch up with the burst, so it does not land in the latency run.
    await new Promise((r) => setTimeout(r, 500));
    const s2 = snapshot();
    const fixed = check(t.label, "fixed rate", await load.openLoop(PLAN.seconds, PLAN.rate));
    const s3 = snapshot();
    const peaks = rss.stop();
    if (fixed.maxSendLagMs > 20) log(`warning: ${t.label}: the load generator sent up to ${fixed.maxSendLagMs.toFixed(1)} ms late at ${PLAN.rate} req/s; latency is suspect`);
    const maxRps = max.requests / max.seconds;
    if (maxRps < 2 * PLAN.rate) log(`warning: ${t.label}: ${PLAN.rate} req/s is over half the maximum (${Math.round(maxRps)}); its latency is mostly queueing`);
    const used = (i: number, a: CpuSnapshot, b: CpuSnapshot) => b.processes[i]!.user + b.processes[i]!.system - a.processes[i]!.user - a.processes[i]!.system;
    const per1k = (i: number, a: CpuSnapshot, b: CpuSnapshot, requests: number) => used(i, a, b) / (requests / 1000);
    const cores = (i: number) => used(i, s0, s1) / max.seconds;
    const topologyCpu = pids.slice(0, -1).reduce((sum, _, i) => sum + used(i, s0, s1), 0);
    const others = (a: CpuSnapshot, b: CpuSnapshot, seconds: number) => {
      const ours = pids.reduce((sum, _, i) => sum + used(i, a, b), 0);
      return Math.max(0, b.machine - a.machine - ours) / seconds;
    };
    return {
      label: t.label,
      fixed,
      max,
      maxRps,
      proxies: t.proxies.map((p, k) => ({
        name: p.name,
        cpuPer1kAtRate: per1k(k + 2, s2, s3, fixed.requests),
        cpuPer1kAtMax: per1k(k + 2, s0, s1, max.requests),
        kernelShareAtMax: (s1.processes[k + 2]!.system - s0.processes[k + 2]!.system) / (used(k + 2, s0, s1) || 1),
        peakRssBytes: peaks.get(p.pid) ?? 0,
        peakRssAnonBytes: rss.peakParts(p.pid).anon,
        peakRssFileBytes: rss.peakParts(p.pid).file,
        idleRssBytes: idleRss[k]!,
      })),
      coresAtMax: { loadGenerator: cores(0), app: cores(1), proxies: t.proxies.reduce((sum, _, k) => sum + cores(k + 2), 0) },
      projectedMaxRps: cpus().length / (topologyCpu / max.requests),
      othersAtRate: others(s2, s3, fixed.seconds),
      othersAtMax: others(s0, s1, max.seconds),
    };
  } finally {
    rss.stop();
    await load.stop();
  }
}

/** A measurement with failed requests measures the failure path: refuse it. */
function check<T extends ClosedLoopResult>(label: string, phase: string, r: T): T {
  if (r.failed > 0) throw new Error(`${label}: ${r.failed} of ${r.failed + r.requests} requests failed during ${phase} (first: ${r.firstError})`);
  return r;
}
