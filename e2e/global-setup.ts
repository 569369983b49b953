/**
 * Starts a real demo mesh for the browser tests — control plane, sidecars, Prometheus and
 * the console with sign-in — in a temp state dir on ports of its own, creates the users
 * `editor` and `viewer`, waits until Prometheus has scraped traffic from every workload,
 * and returns the teardown that stops it all (Playwright runs it even when tests fail).
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { cpSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CONSOLE_URL, E2E_PORTS, STATE_DIR_ENV, TestMesh, USERS, sleep } from "./mesh.ts";

const root = resolve(import.meta.dirname, "..");
const skein = join(root, "apps", "mesh", "bin", "skein.mjs");
const CHROMIUM = "/usr/bin/chromium";

export default async function globalSetup(): Promise<() => Promise<void>> {
  // Checked first, so a missing browser fails in a second rather than after starting a mesh.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests drive Debian's Chromium (sudo apt-get install -y chromium); never \`playwright install\``);
  // The console is served from its production build, and sidecars from their bundle.
  execFileSync(process.execPath, [join(root, "scripts", "ensure-deps.mjs")], { cwd: root, stdio: "inherit" });

  const dir = mkdtempSync(join(tmpdir(), "skein-e2e-"));
  const logFile = join(dir, "demo.log");
  const log = createWriteStream(logFile);
  const started = Date.now();
  console.log(`[e2e] starting the test mesh in ${dir} (control plane :${E2E_PORTS.controlPlane}, Prometheus :${E2E_PORTS.prometheus}, console :${E2E_PORTS.console})`);
  const demo = spawn(
    process.execPath,
    [
      skein, "demo",
      "--control-plane-port", String(E2E_PORTS.controlPlane),
      "--port-base", String(E2E_PORTS.portBase),
      "--prometheus-port", String(E2E_PORTS.prometheus),
      "--console-port", String(E2E_PORTS.console),
      "--console-auth", "signin",
    ],
    { cwd: root, env: { ...process.env, SKEIN_STATE_DIR: dir }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const keep = (c: Buffer) => {
    log.write(c);
    output += c.toString();
  };
  demo.stdout!.on("data", keep);
  demo.stderr!.on("data", keep);
  const exited = new Promise<number | null>((r) => demo.once("exit", (code) => r(code)));

  const teardown = async () => {
    await stopDemo(demo, exited, dir);
    log.end();
    // The mesh's logs outlive the temp dir, next to Playwright's own failure artefacts.
    const kept = join(root, "test-results", "mesh-logs");
    rmSync(kept, { recursive: true, force: true });
    try {
      cpSync(join(dir, "logs"), kept, { recursive: true });
      cpSync(logFile, join(kept, "demo.log"));
    } catch {
      // No logs: the mesh never started.
    }
    if (process.env.SKEIN_E2E_KEEP === "1") console.log(`[e2e] the test mesh's state dir is kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitUntil(() => /Skein demo is running\./.test(output) && /^\s*Console\s+/m.test(output), 240_000, "the demo summary", () => demo.exitCode !== null);
    const consoleLine = /^\s*Console\s+(.*)$/m.exec(output)?.[1] ?? "";
    if (!consoleLine.startsWith(CONSOLE_URL)) throw new Error(`the console is not running at ${CONSOLE_URL}: ${consoleLine}`);
    console.log(`[e2e] mesh and console up after ${((Date.now() - started) / 1000).toFixed(0)} s`);

    for (const u of Object.values(USERS)) {
      execFileSync(process.execPath, [skein, "user", "add", u.username, "--role", u.role], { cwd: root, env: { ...process.env, SKEIN_STATE_DIR: dir, SKEIN_USER_PASSWORD: u.password }, stdio: "pipe" });
    }

    // The graph, charts and the traffic-shifting check need rates, so two scrapes of every workload.
    const mesh = new TestMesh(dir);
    const wanted = mesh.state.workloads.map((w) => w.instance);
    let seen: string[] = [];
    await waitUntil(
      async () => {
        const [dst, src] = await Promise.all([
          mesh.promQuery(`sum by (destination_workload) (rate(istio_requests_total{reporter="destination"}[1m])) > 0`),
          mesh.promQuery(`sum by (source_workload) (rate(istio_requests_total{reporter="source"}[1m])) > 0`),
        ]);
        seen = [...new Set([...dst.map((s) => s.metric.destination_workload!), ...src.map((s) => s.metric.source_workload!)])];
        return wanted.every((w) => seen.includes(w));
      },
      120_000,
      () => `Prometheus traffic from every workload (wanted ${wanted.join(", ")}; seen ${seen.join(", ")})`,
      () => demo.exitCode !== null,
    );
    console.log(`[e2e] Prometheus has traffic from all ${wanted.length} workloads after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    process.env[STATE_DIR_ENV] = dir;
    return teardown;
  } catch (e) {
    const tail = output.trimEnd().split("\n").slice(-30).join("\n");
    await teardown();
    throw new Error(`${(e as Error).message}\n--- skein demo output (last lines; logs in test-results/mesh-logs) ---\n${tail}`, { cause: e });
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string | (() => string), dead: () => boolean): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < until) {
    if (dead()) throw new Error(`skein demo exited while waiting for ${typeof what === "string" ? what : what()}`);
    try {
      if (await check()) return;
    } catch (e) {
      lastError = ` (last error: ${(e as Error).message})`;
    }
    await sleep(500);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${typeof what === "string" ? what : what()}${lastError}`);
}

/** SIGTERM lets `skein demo` stop its console, Prometheus and mesh; SIGKILL only if it hangs. */
async function stopDemo(demo: ChildProcess, exited: Promise<number | null>, dir: string): Promise<void> {
  if (demo.exitCode !== null || demo.signalCode !== null) return;
  demo.kill("SIGTERM");
  const done = await Promise.race([exited.then(() => true), sleep(60_000).then(() => false)]);
  if (done) return;
  demo.kill("SIGKILL");
  await exited;
  // What the demo started runs in process groups of its own: end the ones state.json names.
  try {
    const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as { controlPlane: { pid?: number }; workloads: { pids: { app?: number; sidecar?: number } }[] };
    for (const pid of [state.controlPlane.pid, ...state.workloads.flatMap((w) => [w.pids.app, w.pids.sidecar])]) {
      try {
        if (pid) process.kill(-pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  } catch {
    // No state.json: nothing was started.
  }
}
