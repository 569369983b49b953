// `npm run bench -- proxy [--profile]`: the sidecar's data path against no proxy and
// against nginx, on loopback, one topology after another (the machine has two shared
// cores; anything in parallel would measure the neighbour):
//   direct            load -> app
//   1 sidecar         load -> client sidecar -> app                      (plaintext)
//   2 sidecars mTLS   load -> client sidecar =mTLS=> server sidecar -> app
//   nginx 2 hops mTLS load -> nginx front =mTLS=> nginx back -> app
// Every box is its own process: the load generator, the app, each sidecar
// (`skein proxy`) and each nginx, so /proc gives each one's CPU and memory.
// With --profile, one more two-sidecar run under `node --cpu-prof` and a summary of
// where the sidecars spend their CPU; --profile-only runs just that (for iterating on
// the data path, when the comparison rows are not needed).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import type { BenchCase, BenchMetric } from "./types.ts";
import { formatProfileSummary, summarizeProfile } from "./proxy/cpuprofile.ts";
import { LoadGenerator } from "./proxy/load.ts";
import { measureTopology, PLAN, type Measurement, type Topology } from "./proxy/measure.ts";
import { findOrInstallNginx, startNginxPair } from "./proxy/nginx.ts";
import { startProcess, waitForQuietMachine, type Started } from "./proxy/processes.ts";
import { DIRECT, metricRows, NGINX, ONE_HOP, targetRows, TWO_HOP } from "./proxy/report.ts";
import { CLIENT_SA, SERVER_SA, SERVICE_HOST, SERVICE_PORT, serviceEntryYaml, startSidecar, STRICT_MTLS_YAML, writeCerts, type BenchCerts, type RunningSidecar } from "./proxy/sidecars.ts";

const log = (line: string) => console.log(`  ${line}`);
const SERVICE = `${SERVICE_HOST}:${SERVICE_PORT}`;

export const proxyBench: BenchCase = {
  name: "proxy",
  description: `sidecar throughput, latency at ${PLAN.rate.toLocaleString("en")} req/s, CPU and memory: direct, 1 sidecar, 2 sidecars with mTLS, nginx 2 hops with mTLS`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), "skein-bench-proxy-"));
    const measurements: Measurement[] = [];
    const profileRows: BenchMetric[] = [];
    let nginxSkipped: string | undefined;
    let app: Started | undefined;
    try {
      log(`measuring ${treeRevision()}`);
      const certs = await writeCerts(dir);
      app = await startProcess("bench app", { args: ["--import", "tsx", join(import.meta.dirname, "proxy", "upstream-app.ts")], cwd: join(import.meta.dirname, ".."), ready: /listening on 127\.0\.0\.1:(\d+)/ });
      const appPort = Number(app.ready[1]);
      const appPid = app.pid;
      if (process.argv.includes("--profile-only")) {
        profileRows.push(...(await profileTwoHop(dir, certs, appPort)));
        return { name: "proxy", at: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, metrics: profileRows, targets: [] };
      }
      const measure = async (t: Topology) => {
        const m = await measureTopology(t, log);
        log(`${m.label}: ${Math.round(m.maxRps)} req/s max; at ${PLAN.rate} req/s p50 ${m.fixed.p50.toFixed(2)} / p90 ${m.fixed.p90.toFixed(2)} / p99 ${m.fixed.p99.toFixed(2)} ms`);
        measurements.push(m);
      };

      await probe(DIRECT, `http://127.0.0.1:${appPort}`, () => undefined);
      await measure({ label: DIRECT, target: { origin: `http://127.0.0.1:${appPort}`, host: SERVICE, path: "/" }, proxies: [], appPid });

      const one = await startSidecar({ name: "bench-client", dir, yaml: serviceEntryYaml(appPort), serviceAccount: CLIENT_SA, labels: "app=bench-client,version=v1" });
      await stopAfter([one.process], async () => {
        const origin = `http://127.0.0.1:${one.outboundPort}`;
        await probe(ONE_HOP, origin, (h) => (h["x-envoy-attempt-count"] ? undefined : "the app saw no x-envoy-attempt-count: the request did not pass the sidecar"), [one.process]);
        await measure({ label: ONE_HOP, target: { origin, host: SERVICE, path: "/" }, proxies: [{ name: "sidecar", pid: one.process.pid }], appPid });
      });

      const two = await startTwoHop(dir, certs, appPort);
      await stopAfter([two.client.process, two.server.process], async () => {
        const origin = `http://127.0.0.1:${two.client.outboundPort}`;
        await probeMtls(origin, [two.client.process, two.server.process]);
        await measure({
          label: TWO_HOP,
          target: { origin, host: SERVICE, path: "/" },
          proxies: [
            { name: "client sidecar", pid: two.client.process.pid },
            { name: "server sidecar", pid: two.server.process.pid },
          ],
          appPid,
        });
      });

      const nginx = findOrInstallNginx(log);
      if ("skipped" in nginx) {
        nginxSkipped = nginx.skipped;
        log(`nginx rows skipped: ${nginx.skipped}`);
      } else {
        const pair = await startNginxPair(nginx.path, dir, certs, appPort);
        await stopAfter([pair.front.master, pair.back.master], async () => {
          const origin = `http://127.0.0.1:${pair.port}`;
          await probe(NGINX, origin, (h) => (h["x-client-verify"] === "SUCCESS" ? undefined : `nginx back did not verify the client certificate (${h["x-client-verify"]})`));
          await measure({
            label: NGINX,
            target: { origin, host: SERVICE, path: "/" },
            proxies: [
              { name: "nginx front worker", pid: pair.front.worker },
              { name: "nginx back worker", pid: pair.back.worker },
            ],
            appPid,
          });
        });
      }

      if (process.argv.includes("--profile")) profileRows.push(...(await profileTwoHop(dir, certs, appPort)));
    } finally {
      await app?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return {
      name: "proxy",
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      metrics: [...metricRows(measurements), ...profileRows],
      targets: targetRows(measurements, nginxSkipped),
    };
  },
};

/** Which proxy code this run measured: the commit, and whether the proxy's sources differ from it. */
function treeRevision(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: join(import.meta.dirname, ".."), encoding: "utf8" }).trim();
    const changed = git("status", "--porcelain", "--", "apps/mesh/src/proxy", "apps/mesh/src/cli", "packages/shared/src").split("\n").filter(Boolean).length;
    return `commit ${git("rev-parse", "--short", "HEAD")}${changed > 0 ? ` with ${changed} uncommitted change(s) under the proxy's sources` : ""}`;
  } catch {
    return "a tree outside git";
  }
}

async function startTwoHop(dir: string, certs: BenchCerts, appPort: number, cpuProfileDir?: string): Promise<{ client: RunningSidecar; server: RunningSidecar }> {
  const profiling = cpuProfileDir ? { cpuProfileDir } : {};
  const server = await startSidecar({
    name: "bench-app-v1",
    dir,
    yaml: `${serviceEntryYaml(appPort)}---\n${STRICT_MTLS_YAML}`,
    serviceAccount: SERVER_SA,
    labels: "app=bench-app,version=v1",
    certs,
    pem: certs.server,
    appPort,
    ...profiling,
  });
  try {
    const client = await startSidecar({
      name: "bench-client",
      dir,
      yaml: serviceEntryYaml(server.inboundPort!, SERVER_SA),
      serviceAccount: CLIENT_SA,
      labels: "app=bench-client,version=v1",
      certs,
      pem: certs.client,
      ...profiling,
    });
    return { client, server };
  } catch (e) {
    await server.process.stop();
    throw e;
  }
}

async function stopAfter(processes: Started[], body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    for (const p of processes) await p.stop();
  }
}

/**
 * One request to the app's /probe through the topology; `problem` inspects the headers the
 * app saw. Tried a few times: on a loaded machine the first mTLS handshake can lose a race.
 */
async function probe(label: string, origin: string, problem: (headers: Record<string, string>) => string | undefined, logs: Started[] = []): Promise<void> {
  let last = "";
  for (let attempt = 1; attempt <= 3; attempt++) {
    const res = await request(`${origin}/probe`, { headers: { host: SERVICE }, reset: true });
    const text = await res.body.text();
    if (res.statusCode === 200) {
      const why = problem(JSON.parse(text) as Record<string, string>);
      if (why) throw new Error(`${label}: ${why}`);
      return;
    }
    last = `probe answered ${res.statusCode}: ${text.slice(0, 300)}`;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${label}: ${last}\n${logs.map((p) => `--- ${p.name}:\n${p.output()}`).join("\n")}`);
}

function probeMtls(origin: string, sidecars: Started[]): Promise<void> {
  const caller = `URI=spiffe://cluster.local/ns/default/sa/${CLIENT_SA}`;
  const problem = (h: Record<string, string>) =>
    String(h["x-forwarded-client-cert"] ?? "").includes(caller) ? undefined : `the app saw no mTLS caller identity (x-forwarded-client-cert: ${h["x-forwarded-client-cert"]})`;
  return probe(TWO_HOP, origin, problem, sidecars);
}

/**
 * The two-sidecar topology once more, under `node --cpu-prof`, at maximum throughput. The
 * profiles are written when the sidecars exit and are kept (their directory is printed)
 * for Chrome DevTools or speedscope.
 */
async function profileTwoHop(dir: string, certs: BenchCerts, appPort: number): Promise<BenchMetric[]> {
  const profileDir = mkdtempSync(join(tmpdir(), "skein-proxy-cpuprofile-"));
  const two = await startTwoHop(dir, certs, appPort, profileDir);
  let rps = 0;
  let from = 0;
  let to = 0;
  await stopAfter([two.client.process, two.server.process], async () => {
    const origin = `http://127.0.0.1:${two.client.outboundPort}`;
    await probeMtls(origin, [two.client.process, two.server.process]);
    await waitForQuietMachine([process.pid, two.client.process.pid, two.server.process.pid], log);
    const load = await LoadGenerator.start({ origin, host: SERVICE, path: "/", maxConnections: PLAN.connections });
    try {
      await load.closedLoop(PLAN.warmupSeconds, PLAN.connections);
      from = Date.now();
      const r = await load.closedLoop(PLAN.seconds, PLAN.connections);
      to = Date.now();
      rps = r.requests / r.seconds;
    } finally {
      await load.stop();
    }
  });
  console.log(`\n  profile of ${TWO_HOP} at max throughput (${Math.round(rps)} req/s under the profiler); files in ${profileDir}`);
  const rows: BenchMetric[] = [];
  for (const [role, file, sidecar] of [
    ["client sidecar", "bench-client.cpuprofile", two.client],
    ["server sidecar", "bench-app-v1.cpuprofile", two.server],
  ] as const) {
    // Only the measured seconds: start-up (tsx compiling the sources) would blur the picture.
    const started = sidecar.process.startedAt;
    const summary = summarizeProfile(join(profileDir, file), { fromMs: from - started, toMs: to - started });
    console.log(`\n${formatProfileSummary(`  ${role} (${file})`, summary)}`);
    for (const g of summary.groups) rows.push({ name: `profile ${role}: ${g.name}`, value: g.percent, unit: "% of samples" });
    for (const c of summary.categories.filter((c) => c.name.startsWith("skein:")).slice(0, 3)) rows.push({ name: `profile ${role}: ${c.name}`, value: c.percent, unit: "% of samples" });
  }
  return rows;
}
