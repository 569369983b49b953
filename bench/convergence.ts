// `npm run bench -- convergence [--profile]`: how fast a config change reaches every
// sidecar it affects. A real `skein controlplane` (its own process, fresh state) holds
// 1,000 real streams from simulated sidecars in two fleet processes; the bench applies a
// sequence of changes through the API and, per change, measures the time from the apply
// call returning to the last affected sidecar's ACK being accepted, and checks that
// exactly the affected sidecars were pushed. With --profile the control plane runs under
// `node --cpu-prof` and the report says where its CPU went during the changes; with
// --cold-start the sidecars register with a control plane that has never seen them; with
// --full-snapshots they do not ask for deltas, so every change sends whole snapshots.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchCase, BenchMetric } from "./types.ts";
import { analyseChange, type ChangeOutcome } from "./convergence/analyse.ts";
import { startControlPlane, type RunningControlPlane } from "./convergence/control-plane.ts";
import { Fleet, FleetTimeout } from "./convergence/fleet.ts";
import { initialConfig, meshChanges, meshWorkloads, type MeshChange, type MeshPlan } from "./convergence/mesh.ts";
import { monotonicMs, sidecarKey, START_UP, type FleetSidecar } from "./convergence/protocol.ts";
import { metricRows, outcomeLine, targetRows, type RunSummary } from "./convergence/report.ts";
import { formatProfileSummary, summarizeProfile } from "./proxy/cpuprofile.ts";
import { cpuSeconds, machineBusySeconds, rssBytes, RssSampler, waitForQuietMachine } from "./proxy/processes.ts";

const PLAN: MeshPlan = { namespaces: 10, services: 50, workloadsPerService: 20, changes: 20 };
const FLEETS = 2;
/**
 * Changes applied, and waited for, before the measured ones: a long-lived control plane
 * has its compiler optimised by V8; the first changes after start-up run it cold (about
 * 20% slower here).
 */
const WARMUP_CHANGES = 3;
/**
 * The control plane starts knowing the mesh (its registry.json, as after a restart), so
 * the sidecars reconnect without changing it. Registering a thousand new workloads
 * instead changes every sidecar's endpoints a thousand times, and the re-pushes take
 * minutes and tens of GB (start-up is not what this case measures): `--cold-start` does
 * that, to measure it.
 */
const COLD_START = process.argv.includes("--cold-start");
/** The simulated sidecars ask for `delta` events, as `skein proxy` does, unless told not to. */
const DELTAS = !process.argv.includes("--full-snapshots");
/** Per fleet: ACKs share a small keep-alive pool, streams have a connection each. */
const ACK_CONNECTIONS = 32;
const LIMITS = {
  /** Every sidecar connected and ACKed its first snapshot. */
  connectMs: COLD_START ? 900_000 : 180_000,
  /** Every affected sidecar ACKed one change; past it the change counts as never converged. */
  changeMs: 20_000,
  /** No snapshot for this long: the control plane has nothing more to push. */
  quietMs: 400,
  startUpQuietMs: 1_500,
  /** Between changes, so one change's garbage collection does not land in the next. */
  gapMs: 500,
};

const log = (line: string) => console.log(`  ${line}`);

export const convergenceBench: BenchCase = {
  name: "convergence",
  description: `${(PLAN.services * PLAN.workloadsPerService).toLocaleString("en")} simulated sidecars on real streams: time from an apply to every affected sidecar's ACK, ${PLAN.changes} changes${COLD_START ? " (cold start: the sidecars register)" : ""}${DELTAS ? "" : " (whole snapshots, no deltas)"}`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), "skein-bench-convergence-"));
    const profileDir = process.argv.includes("--profile") ? mkdtempSync(join(tmpdir(), "skein-controlplane-cpuprofile-")) : undefined;
    const fleets: Fleet[] = [];
    let cp: RunningControlPlane | undefined;
    // Ctrl-C must not leave a control plane with 1,000 streams behind.
    const interrupted = (signal: NodeJS.Signals) => {
      log(`${signal}: stopping the control plane and the fleets`);
      void Promise.allSettled([cp?.process.stop("SIGKILL"), ...fleets.map((f) => f.stop())]).then(() => process.exit(130));
    };
    process.once("SIGINT", interrupted);
    process.once("SIGTERM", interrupted);
    try {
      mkdirSync(join(dir, "state"));
      const workloads = meshWorkloads(PLAN);
      if (!COLD_START) writeFileSync(join(dir, "state", "registry.json"), JSON.stringify(workloads), { mode: 0o600 });
      cp = await startControlPlane({ stateDir: join(dir, "state"), ...(profileDir ? { cpuProfileDir: profileDir } : {}) });
      const started = cp;
      log(`control plane ${cp.url} (pid ${cp.process.pid})${profileDir ? `, profiling into ${profileDir}` : ""}`);
      await cp.api.apply(initialConfig(PLAN), "convergence bench: initial config");
      const tokens = await cp.api.joinTokens(workloads);
      for (let i = 0; i < FLEETS; i++) fleets.push(Fleet.start(`fleet-${i}`));
      // Interleaved, so each fleet holds part of every service.
      const shares: FleetSidecar[][] = fleets.map(() => []);
      workloads.forEach((workload, i) => shares[i % FLEETS]!.push({ workload, token: tokens[i]! }));
      const fleetOf = new Map(workloads.map((w, i) => [sidecarKey(w), i % FLEETS]));

      const connectStart = monotonicMs();
      const pools = (i: number) => ({ streamConnections: shares[i]!.length, ackConnections: ACK_CONNECTIONS, deltas: DELTAS });
      const connected = await Promise.all(fleets.map((f, i) => f.connect(started.url, shares[i]!, pools(i), LIMITS.connectMs)));
      const failed = connected.flatMap((c) => c.failed);
      if (failed.length > 0) throw new Error(`${failed.length} sidecar(s) could not connect; first: ${failed[0]}\n${started.process.output().slice(-1500)}`);
      const startUp = await Promise.all(fleets.map((f) => f.collect(START_UP, LIMITS.startUpQuietMs, 300_000)));
      // The quiet wait is not start-up work.
      const startUpSeconds = (monotonicMs() - connectStart - LIMITS.startUpQuietMs) / 1000;
      const startUpRecords = startUp.flatMap((s) => s.records);
      const sidecars = connected.reduce((n, c) => n + c.sidecars, 0);
      log(`${sidecars} sidecars connected${COLD_START ? " (cold start)" : ""}; start-up took ${startUpSeconds.toFixed(1)} s and ${startUpRecords.length} snapshots`);

      await waitForQuietMachine([process.pid, cp.process.pid, ...fleets.map((f) => f.pid)], log);
      const rssConnected = rssBytes(cp.process.pid);
      const ours = () => [started.process.pid, ...fleets.map((f) => f.pid), process.pid].map(cpuSeconds);
      const runChange = async (change: MeshChange): Promise<ChangeOutcome> => {
        const expected = new Set(workloads.filter((w) => change.affects(w)).map(sidecarKey));
        await Promise.all(fleets.map((f, i) => f.mark(change.index, [...expected].filter((k) => fleetOf.get(k) === i))));
        const cpuBefore = cpuSeconds(started.process.pid);
        const applyStart = monotonicMs();
        await started.api.apply(change.yaml, `convergence bench: ${change.label}`);
        const applyEnd = monotonicMs();
        try {
          await Promise.all(fleets.map((f) => f.settled(change.index, LIMITS.changeMs)));
        } catch (e) {
          if (!(e instanceof FleetTimeout)) throw e;
          log(`change #${change.index} did not reach every affected sidecar within ${LIMITS.changeMs} ms`);
        }
        const cpuUsed = cpuSeconds(started.process.pid) - cpuBefore;
        const collected = await Promise.all(fleets.map((f) => f.collect(change.index, LIMITS.quietMs, 10_000)));
        if (collected.some((c) => !c.quiet)) log(`warning: snapshots were still arriving 10 s after change #${change.index}; later ones count towards the next change`);
        const gone = collected.flatMap((c) => c.disconnected);
        if (gone.length > 0) throw new Error(`${gone.length} sidecar stream(s) closed during the run; first: ${gone[0]}\n${started.process.output().slice(-1500)}`);
        const outcome = analyseChange(change, expected, collected.flatMap((c) => c.records), { applyStart, applyEnd }, cpuUsed);
        await new Promise((r) => setTimeout(r, LIMITS.gapMs));
        return outcome;
      };
      const changes = meshChanges({ ...PLAN, changes: WARMUP_CHANGES + PLAN.changes });
      for (const change of changes.slice(0, WARMUP_CHANGES)) log(`warm-up ${outcomeLine(await runChange(change))}`);
      const rss = new RssSampler([cp.process.pid]);
      rss.start();
      const phaseStart = { at: monotonicMs(), wall: Date.now(), cpu: ours(), machine: machineBusySeconds() };
      const outcomes: ChangeOutcome[] = [];
      for (const change of changes.slice(WARMUP_CHANGES)) {
        const outcome = await runChange(change);
        outcomes.push(outcome);
        log(outcomeLine(outcome));
      }
      const phaseEnd = { at: monotonicMs(), wall: Date.now(), cpu: ours(), machine: machineBusySeconds() };
      const peaks = rss.stop();
      const used = phaseEnd.cpu.map((c, i) => c - phaseStart.cpu[i]!);
      const summary: RunSummary = {
        plan: PLAN,
        connected: sidecars,
        coldStart: COLD_START,
        deltas: DELTAS,
        warmupChanges: WARMUP_CHANGES,
        startUp: { seconds: startUpSeconds, snapshots: startUpRecords.length, bytes: startUpRecords.reduce((n, r) => n + r.bytes, 0) },
        outcomes,
        rssConnectedBytes: rssConnected,
        rssPeakBytes: peaks.get(cp.process.pid) ?? 0,
        cpu: {
          controlPlane: used[0]!,
          fleets: used.slice(1, -1).reduce((a, b) => a + b, 0),
          others: Math.max(0, phaseEnd.machine - phaseStart.machine - used.reduce((a, b) => a + b, 0)),
          wallSeconds: (phaseEnd.at - phaseStart.at) / 1000,
        },
      };
      const profileRows: BenchMetric[] = [];
      if (profileDir) {
        // The profile is written when the control plane exits; read only the changes' window.
        await Promise.all(fleets.map((f) => f.stop()));
        await cp.process.stop("SIGTERM", 30_000);
        const window = { fromMs: phaseStart.wall - cp.process.startedAt, toMs: phaseEnd.wall - cp.process.startedAt };
        const profile = summarizeProfile(join(profileDir, "controlplane.cpuprofile"), window, 20);
        console.log(`\n${formatProfileSummary(`  control plane during the changes (${join(profileDir, "controlplane.cpuprofile")})`, profile)}\n`);
        for (const f of profile.ownInclusive.slice(0, 6)) profileRows.push({ name: `profile (inclusive): ${f.name}`, value: f.percent, unit: "% of busy samples" });
        for (const f of profile.functions.slice(0, 6)) profileRows.push({ name: `profile (self): ${f.name}`, value: f.percent, unit: "% of busy samples" });
      }
      return {
        name: "convergence",
        at: new Date().toISOString(),
        machine: { cpus: cpus().length, node: process.version },
        metrics: [...metricRows(summary), ...profileRows],
        targets: targetRows(summary),
      };
    } finally {
      process.removeListener("SIGINT", interrupted);
      process.removeListener("SIGTERM", interrupted);
      await Promise.allSettled(fleets.map((f) => f.stop()));
      await cp?.api.close().catch(() => undefined);
      await cp?.process.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
