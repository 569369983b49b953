/**
 * A real Prometheus for tests and the demo: Debian's package (2.42 at /usr/bin/prometheus),
 * installed with apt when it is missing and we are root, started on 127.0.0.1 with its
 * own config file and data dir in a temp dir, so it never touches /etc/prometheus or a
 * system service. Discovery goes through `http_sd_configs`, the way a stock Prometheus
 * finds the mesh.
 *
 *   const found = await ensurePrometheus();
 *   if (!found.available) { console.warn(`skipped: ${found.reason}`); return; }
 *   const prom = await startPrometheus({ sdUrl, scrapeIntervalSeconds: 1 });
 *   try { await prom.waitFor('up{workload="a"} == 1'); } finally { await prom.stop(); }
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";

export type PrometheusAvailability = { available: true; binary: string; version: string } | { available: false; reason: string };

let ensured: Promise<PrometheusAvailability> | undefined;

/**
 * Finds Prometheus, installing Debian's package when it is missing and this process runs
 * as root. Never throws: when it cannot be had, says why (for a test's skip message or the
 * demo's hint). Once per process; concurrent installs from several test processes wait on
 * dpkg's lock instead of failing.
 */
export function ensurePrometheus(binary = process.env.SKEIN_PROMETHEUS ?? PROMETHEUS_BIN): Promise<PrometheusAvailability> {
  ensured ??= findOrInstall(binary);
  return ensured;
}

interface RunResult {
  status: number | null;
  output: string;
}

/** Runs a command without blocking the event loop (an install takes minutes; a test worker must keep answering its runner). */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let output = "";
    const keep = (c: Buffer) => (output = (output + c.toString()).slice(-4000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", (e) => resolve({ status: null, output: output + String(e) }));
    child.once("close", (status) => resolve({ status, output }));
  });
}

async function findOrInstall(binary: string): Promise<PrometheusAvailability> {
  if (existsSync(binary)) return describe(binary);
  if (binary !== PROMETHEUS_BIN) return { available: false, reason: `${binary} (from SKEIN_PROMETHEUS) does not exist` };
  if (process.platform !== "linux" || process.getuid?.() !== 0) {
    return { available: false, reason: `${binary} is missing and this process is not root, so it cannot run "apt-get install -y prometheus" (install it, or set SKEIN_PROMETHEUS to a prometheus binary)` };
  }
  if (!existsSync("/usr/bin/apt-get")) return { available: false, reason: `${binary} is missing and there is no apt-get to install it with` };
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Waits for a concurrent dpkg (another test process installing the same package).
  const install = () => run("apt-get", ["install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", "prometheus"], env, 600_000);
  let r = await install();
  if (r.status !== 0 && !existsSync(binary)) {
    // Package lists may be missing or stale (a fresh machine): refresh once and retry.
    await run("apt-get", ["update", "-o", "DPkg::Lock::Timeout=300"], env, 300_000);
    r = await install();
  }
  if (!existsSync(binary)) {
    const tail = r.output.trim().split("\n").slice(-3).join(" | ");
    return { available: false, reason: `"apt-get install -y prometheus" failed (exit ${r.status}): ${tail}` };
  }
  return describe(binary);
}

async function describe(binary: string): Promise<PrometheusAvailability> {
  const r = await run(binary, ["--version"], process.env, 30_000);
  const text = r.output;
  if (r.status !== 0) return { available: false, reason: `${binary} --version failed: ${text.trim()}` };
  return { available: true, binary, version: /version (\S+)/.exec(text)?.[1] ?? "unknown" };
}

// ---- a running server ----------------------------------------------------------------

export interface PrometheusOptions {
  /** The control plane's `/api/v1/prometheus/sd` URL. */
  sdUrl: string;
  /** Scrape interval, and http_sd refresh interval unless `sdRefreshSeconds` says otherwise. */
  scrapeIntervalSeconds: number;
  sdRefreshSeconds?: number;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Listen address; loopback unless told otherwise. */
  host?: string;
  job?: string;
  /** Extra scrape configs as YAML list items (already indented by two spaces). */
  extraScrapeConfigs?: string;
  /** Keep the temp dir (config, data, log) after stop, e.g. to read the log of a failure. */
  keepDir?: boolean;
  binary?: string;
  /** How long to wait for /-/ready. */
  readyTimeoutMs?: number;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  port: number;
  pid: number;
  dir: string;
  configFile: string;
  logFile: string;
  /** An instant query; throws on a Prometheus error. */
  query(promql: string): Promise<PromSample[]>;
  /** Polls `promql` until it returns a sample (and `accept` agrees), or throws after `timeoutMs` (30 s) with what it last saw. */
  waitFor(promql: string, options?: { timeoutMs?: number; intervalMs?: number; accept?: (samples: PromSample[]) => boolean }): Promise<PromSample[]>;
  /** Active targets as /api/v1/targets reports them. */
  targets(): Promise<{ labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }[]>;
  /** The tail of Prometheus's own log. */
  log(lines?: number): string;
  /** SIGTERM, then SIGKILL after 10 s; removes the temp dir unless `keepDir`. Safe to call twice. */
  stop(): Promise<void>;
}

/** A port the kernel considers free right now. Another process may take it before Prometheus binds: see the retry below. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function prometheusConfig(o: Pick<PrometheusOptions, "sdUrl" | "scrapeIntervalSeconds" | "sdRefreshSeconds" | "job" | "extraScrapeConfigs">): string {
  const interval = `${o.scrapeIntervalSeconds}s`;
  // Prometheus refuses a scrape_timeout longer than the interval, and defaults it to 10 s.
  const timeout = `${Math.min(o.scrapeIntervalSeconds, 10)}s`;
  return [
    "global:",
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${timeout}`,
    `  evaluation_interval: ${interval}`,
    "scrape_configs:",
    `  - job_name: ${JSON.stringify(o.job ?? "skein-mesh")}`,
    "    http_sd_configs:",
    `      - url: ${JSON.stringify(o.sdUrl)}`,
    `        refresh_interval: ${o.sdRefreshSeconds ?? o.scrapeIntervalSeconds}s`,
    ...(o.extraScrapeConfigs ? [o.extraScrapeConfigs.replace(/\n$/, "")] : []),
    "",
  ].join("\n");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts Prometheus and resolves once it answers /-/ready. Call `ensurePrometheus()` first. */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? process.env.SKEIN_PROMETHEUS ?? PROMETHEUS_BIN;
  const host = options.host ?? "127.0.0.1";
  const dir = mkdtempSync(join(tmpdir(), "skein-prometheus-"));
  const configFile = join(dir, "prometheus.yml");
  writeFileSync(configFile, prometheusConfig(options));
  let lastError: Error | undefined;
  // A picked port can be taken between picking and binding; a fixed port is tried once.
  for (let attempt = 0; attempt < (options.port ? 1 : 3); attempt++) {
    const port = options.port || (await freePort(host));
    try {
      return await launch(binary, host, port, dir, configFile, options);
    } catch (e) {
      lastError = e as Error;
      if (!/address already in use/i.test(lastError.message)) break;
    }
  }
  if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
  throw lastError ?? new Error("prometheus did not start");
}

async function launch(binary: string, host: string, port: number, dir: string, configFile: string, options: PrometheusOptions): Promise<RunningPrometheus> {
  const dataDir = join(dir, `data-${port}`);
  const logFile = join(dir, `prometheus-${port}.log`);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=${host}:${port}`, "--storage.tsdb.retention.time=1d", "--log.level=info"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const readLog = (lines = 20) => {
    try {
      return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (running && child.pid !== undefined) {
        child.kill("SIGTERM");
        const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
        if (!killed) {
          child.kill("SIGKILL");
          await exited;
        }
      }
      await new Promise<void>((r) => log.end(r));
      if (!options.keepDir) {
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(logFile, { force: true });
        if (readdirSync(dir).every((f) => f === "prometheus.yml")) rmSync(dir, { recursive: true, force: true });
      }
    })());

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    const failed = await Promise.race([spawnError, exited.then((code) => new Error(`prometheus exited with code ${code}`)), sleep(0).then(() => undefined)]);
    if (failed) {
      await stop();
      throw new Error(`${failed.message} before it was ready on ${url}:\n${readLog()}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const tail = readLog();
      await stop();
      throw new Error(`prometheus on ${url} was not ready after ${options.readyTimeoutMs ?? 30_000} ms:\n${tail}`);
    }
    await sleep(200);
  }

  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  }

  const query = async (promql: string) => (await api<{ resultType: string; result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result;

  return {
    url,
    port,
    pid: child.pid!,
    dir,
    configFile,
    logFile,
    query,
    async waitFor(promql, o = {}) {
      const timeoutMs = o.timeoutMs ?? 30_000;
      const accept = o.accept ?? ((s: PromSample[]) => s.length > 0);
      const until = Date.now() + timeoutMs;
      let last: PromSample[] | string;
      for (;;) {
        try {
          last = await query(promql);
          if (accept(last)) return last;
        } catch (e) {
          last = (e as Error).message;
        }
        if (Date.now() > until || !running) break;
        await sleep(o.intervalMs ?? 500);
      }
      const targets = await api<{ activeTargets: unknown[] }>("/api/v1/targets").then((d) => JSON.stringify(d.activeTargets), (e: Error) => e.message);
      throw new Error(`prometheus: ${promql} did not hold within ${timeoutMs} ms (${running ? "running" : "exited"}); last result ${JSON.stringify(last)}; targets ${targets}\n${readLog(10)}`);
    },
    async targets() {
      const data = await api<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }[] }>("/api/v1/targets?state=active");
      return data.activeTargets.map((t) => ({ labels: t.labels, health: t.health, lastError: t.lastError, scrapeUrl: t.scrapeUrl }));
    },
    log: readLog,
    stop,
  };
}
