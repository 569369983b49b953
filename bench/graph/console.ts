// The console under test: its production build, the one `skein demo` serves (apps/web/.next,
// or NEXT_DIST_DIR; `npm run bench` has scripts/ensure-deps.mjs bring it up to date first),
// served by `next start` on 127.0.0.1 and pointed at the bench's Prometheus and control
// plane. That folder is shared (the demo, a neighbour's `npm test` rebuilding it), so the
// bench serves a copy of it: a rebuild during the run cannot swap files under the server.
// The bench builds only when told (--build). A build of its own would need its own dist
// dir, which `next build` would add to apps/web/tsconfig.json.
import { spawn } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import { consoleBuildState } from "../../scripts/console-build.mjs";
import { childPids, freePort, rssBytes, startProcess, type Started } from "../proxy/processes.ts";

const REPO = join(import.meta.dirname, "..", "..");
export const WEB_DIR = join(REPO, "apps", "web");
export const DIST_DIR = process.env.NEXT_DIST_DIR ?? ".next";
/** The copy the bench serves (ignored by git, as apps/web/.next* is). */
const SNAPSHOT_DIR = ".next-bench-graph";
/** What `next start` does not read: build caches, a dev server's output, type stubs, traces. */
const NOT_SERVED = new Set(["cache", "dev", "types", "trace", "trace-build", "diagnostics"]);
const NEXT_BIN = createRequire(join(WEB_DIR, "package.json")).resolve("next/dist/bin/next");

export interface ConsoleBuild {
  /** Wall time of `next build`; undefined when the existing build was used. */
  buildMs?: number;
  /** How much newer than the build its newest source is, seconds; 0 when up to date. */
  staleSeconds: number;
}

/** Builds the console when told to; otherwise uses the existing build and says how stale it is. */
export async function ensureConsoleBuild(build: boolean, log: (line: string) => void): Promise<ConsoleBuild> {
  const { buildId, builtMs: built, changedMs: changed } = consoleBuildState(REPO, DIST_DIR);
  if (!build) {
    if (built === 0) throw new Error(`the console is not built (no apps/web/${DIST_DIR}/BUILD_ID): run it as \`npm run bench -- graph\` (scripts/ensure-deps.mjs builds it), or pass --build`);
    const staleSeconds = Math.max(0, (changed - built) / 1000);
    if (staleSeconds > 0) log(`warning: the console build in apps/web/${DIST_DIR} is ${staleSeconds.toFixed(0)} s older than its newest source; measuring it anyway (--build rebuilds)`);
    else log(`using the console build in apps/web/${DIST_DIR} (up to date)`);
    return { staleSeconds };
  }
  log(`building the console (next build into apps/web/${DIST_DIR}; not part of the measurement)`);
  const started = performance.now();
  const startedAt = new Date();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, "build"], { cwd: WEB_DIR, env: { ...process.env, NEXT_DIST_DIR: DIST_DIR }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const keep = (c: Buffer) => (out = (out + c.toString()).slice(-6000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    // A build on a busy two-core machine takes one to three minutes.
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      // Dated from the start of the build, so a source saved while it ran makes it stale.
      if (code === 0) resolve(utimesSync(buildId, startedAt, startedAt));
      else reject(new Error(`next build failed (${code ?? signal}):\n${out}`));
    });
  });
  return { buildMs: performance.now() - started, staleSeconds: 0 };
}

/**
 * Copies the build `next start` reads into the bench's own dist dir; throws when the build
 * changed while it was copied (a rebuild running next door).
 */
export function snapshotBuild(): void {
  const from = join(WEB_DIR, DIST_DIR);
  const to = join(WEB_DIR, SNAPSHOT_DIR);
  const buildId = () => (existsSync(join(from, "BUILD_ID")) ? readFileSync(join(from, "BUILD_ID"), "utf8") + statSync(join(from, "BUILD_ID")).mtimeMs : "none");
  for (let attempt = 1; ; attempt++) {
    const before = buildId();
    rmSync(to, { recursive: true, force: true });
    // Symlinks stay relative (.next/node_modules points into the repository's node_modules).
    cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (src) => !NOT_SERVED.has(relative(from, src).split(sep)[0]!) });
    if (before !== "none" && buildId() === before) return;
    if (attempt === 3) throw new Error(`apps/web/${DIST_DIR} kept changing while it was copied (a build running next door?); try again when it is done`);
  }
}

export function removeSnapshot(): void {
  rmSync(join(WEB_DIR, SNAPSHOT_DIR), { recursive: true, force: true });
}

export interface RunningConsole {
  url: string;
  process: Started;
  /** RSS of `next start` and any process it started, bytes. */
  rss(): number;
}

export async function startConsole(o: { prometheusUrl: string; controlPlaneUrl: string; stateDir: string; cpuProfileDir?: string }): Promise<RunningConsole> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startProcess("next start", {
    args: [...(o.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${o.cpuProfileDir}`, "--cpu-prof-name=console.cpuprofile"] : []), NEXT_BIN, "start", "--port", String(port), "--hostname", "127.0.0.1"],
    cwd: WEB_DIR,
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_DIST_DIR: SNAPSHOT_DIR,
      PROMETHEUS_URL: o.prometheusUrl,
      SKEIN_CONTROL_PLANE_URL: o.controlPlaneUrl,
      SKEIN_STATE_DIR: o.stateDir,
      SKEIN_CONSOLE_AUTH: "anonymous-editor",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    // Answering /api/auth/me also proves the console's database opened.
    ready: async () => (await fetch(`${url}/api/auth/me`, { signal: AbortSignal.timeout(5_000) })).ok,
    timeoutMs: 90_000,
  });
  return { url, process: proc, rss: () => [proc.pid, ...descendants(proc.pid)].reduce((n, pid) => n + rssBytes(pid), 0) };
}

function descendants(pid: number): number[] {
  const direct = childPids(pid);
  return [...direct, ...direct.flatMap(descendants)];
}
