/**
 * Runs the mesh the way a user does: `node bin/skein.mjs up -f mesh.yaml` as a child
 * process with its own SKEIN_STATE_DIR in a temp dir, and every other verb (`status`,
 * `curl`, `apply`, ...) as its own `skein` process against that state dir.
 *
 *   const mesh = await SkeinUp.start(ECHO_MESH);      // resolves when `skein status` says all ready
 *   const r = await mesh.skein("curl", "client", "-n", "demo", "http://echo:8080/");
 *   const { survivors } = await mesh.stop();          // SIGINT, then: which recorded pids are still alive
 *
 * Ports: a free range below Linux's ephemeral range (32768+), so no outgoing connection
 * of this or another test process can be holding one of them when the mesh binds.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { request } from "undici";
import { afterEach, expect } from "vitest";
import type { ProxyStatus } from "@skein/shared";
import { parseMeshFile } from "../../src/runner/mesh-file.ts";
import { portsInUse } from "../../src/runner/port-plan.ts";
import { readState, type RunnerState } from "../../src/runner/state.ts";

export const SKEIN_BIN = resolve(import.meta.dirname, "../../bin/skein.mjs");
export const SHOP_MESH_FILE = resolve(import.meta.dirname, "../../demo/shop.yaml");

export interface CliResult {
  /** null when the command was killed for running too long. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `skein status -o json`, as documented. */
export interface MeshStatus {
  controlPlane: { url: string };
  workloads: {
    name: string;
    namespace: string;
    ready: boolean;
    identity: string;
    app: { port: number };
    sidecar: { outboundPort: number; inboundPort: number; metricsPort: number; configVersion: string | null };
  }[];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The environment a user's shell would give skein, pointed at one state dir and nothing else. */
function cliEnv(stateDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SKEIN_STATE_DIR: stateDir };
  delete env.SKEIN_CONTROL_PLANE_URL;
  delete env.SKEIN_TOKEN;
  return env;
}

/** Runs one `skein` command to its end, or kills it after `timeoutMs`. */
export function skein(args: readonly string[], o: { stateDir: string; cwd: string; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [SKEIN_BIN, ...args], { cwd: o.cwd, env: cliEnv(o.stateDir), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[test] skein ${args.join(" ")} still running after ${o.timeoutMs ?? 30_000} ms: killed\n`;
      child.kill("SIGKILL");
    }, o.timeoutMs ?? 30_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** The first of `count` consecutive ports on 127.0.0.1 that are all free right now. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (32_000 - 20_000 - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await portsInUse(ports)).length === 0) return base;
  }
  throw new Error(`no ${count} consecutive free ports between 20000 and 32000`);
}

/** A process that exists and is not a zombie waiting for a parent that will never reap it. */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Every pid `skein up` recorded: itself, the control plane, each app and sidecar. */
export function recordedPids(state: RunnerState): number[] {
  return [state.pid, state.controlPlane.pid, ...state.workloads.flatMap((w) => [w.pids.app, w.pids.sidecar])].filter((p): p is number => typeof p === "number");
}

export interface Stopped {
  /** `skein up`'s exit status: 0 after Ctrl-C; -1 when it had to be killed. */
  exitCode: number | null;
  /** Recorded pids that outlived `skein up` (a leak). */
  survivors: number[];
}

/**
 * Registers an afterEach that stops every mesh a test started, even when the test
 * failed, and asserts that Ctrl-C ended `skein up` cleanly and left no process behind.
 */
export function usingSkeinUp(): (o: { yaml?: string; file?: string; readyTimeoutMs?: number }) => Promise<{ mesh: SkeinUp; status: MeshStatus }> {
  const meshes: SkeinUp[] = [];
  afterEach(async () => {
    const results = [];
    for (const m of meshes.splice(0)) results.push({ stopped: await m.stop(), stderr: m.stderr });
    for (const r of results) {
      expect(r.stopped.survivors, `processes left running after Ctrl-C; skein up said:\n${r.stderr}`).toEqual([]);
      expect(r.stopped.exitCode, `skein up's exit status after Ctrl-C; it said:\n${r.stderr}`).toBe(0);
    }
    // Bounded by stop(): 20 s for Ctrl-C, 5 s after SIGKILL, 5 s for the children.
  }, 40_000);
  return (o) => SkeinUp.start({ ...o, started: meshes });
}

export class SkeinUp {
  private stopped: Promise<Stopped> | undefined;
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;
  stdout = "";
  stderr = "";

  private constructor(
    readonly dir: string,
    readonly meshFile: string,
    readonly controlPlanePort: number,
    readonly portBase: number,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on("data", (c: Buffer) => (this.stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((r) =>
      child.once("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        r();
      }),
    );
  }

  get stateDir(): string {
    return join(this.dir, "state");
  }

  /** True while the `skein up` process runs. */
  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /**
   * Writes `meshYaml` (or uses `file`), starts `skein up` on a free port range, and waits
   * (bounded) until `skein status -o json` reports every workload ready. The instance
   * joins `started` before the wait, so an afterEach can stop it even when starting fails.
   */
  static async start(o: { yaml?: string; file?: string; started: SkeinUp[]; readyTimeoutMs?: number }): Promise<{ mesh: SkeinUp; status: MeshStatus }> {
    const text = o.file ? readFileSync(o.file, "utf8") : o.yaml!;
    const parsed = parseMeshFile("mesh.yaml", text);
    if (!parsed.mesh) throw new Error(`test mesh file is invalid: ${JSON.stringify(parsed.diagnostics)}`);
    const instances = parsed.mesh.spec.workloads.reduce((n, w) => n + w.replicas, 0);
    for (let attempt = 1; ; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), "skein-up-it-"));
      const meshFile = o.file ?? join(dir, "mesh.yaml");
      if (!o.file) writeFileSync(meshFile, text);
      // The control plane takes the range's first port, the workloads the rest.
      const first = await freePortRange(1 + instances * 4);
      const child = spawn(process.execPath, [SKEIN_BIN, "up", "-f", meshFile, "--port-base", String(first + 1), "--control-plane-port", String(first)], {
        cwd: dir,
        env: cliEnv(join(dir, "state")),
        stdio: ["ignore", "pipe", "pipe"],
      });
      const mesh = new SkeinUp(dir, meshFile, first, first + 1, child);
      o.started.push(mesh);
      try {
        return { mesh, status: await mesh.waitReady(o.readyTimeoutMs ?? 60_000) };
      } catch (e) {
        // Another process took a port between the probe and `skein up`'s own check: try another range.
        if (attempt < 3 && !mesh.alive && /ports already in use/.test(mesh.stderr)) {
          await mesh.stop();
          o.started.splice(o.started.indexOf(mesh), 1);
          continue;
        }
        throw e;
      }
    }
  }

  /** Runs `skein ARGS...` against this mesh's state dir. */
  skein(...args: string[]): Promise<CliResult> {
    return skein(args, { stateDir: this.stateDir, cwd: this.dir });
  }

  /** `skein status -o json`, parsed; throws with the command's output when it fails. */
  async status(): Promise<MeshStatus> {
    const r = await this.skein("status", "-o", "json");
    if (r.code !== 0) throw new Error(`skein status exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as MeshStatus;
  }

  state(): RunnerState {
    const s = readState(this.stateDir);
    if (!s) throw new Error(`no state.json in ${this.stateDir}`);
    return s;
  }

  workload(instance: string): RunnerState["workloads"][number] {
    const w = this.state().workloads.find((x) => x.instance === instance);
    if (!w) throw new Error(`no workload ${instance} in the running mesh`);
    return w;
  }

  /** The tail of one of the mesh's logs (state dir's logs/NAME.log), for failure messages. */
  log(name: string, lines = 15): string {
    try {
      return readFileSync(join(this.stateDir, "logs", `${name}.log`), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  private async waitReady(timeoutMs: number): Promise<MeshStatus> {
    const until = Date.now() + timeoutMs;
    let last = "nothing yet";
    while (Date.now() < until) {
      if (!this.alive) throw new Error(`skein up exited with ${this.exitCode} before the mesh was ready:\n${this.stderr}\ncontrol plane log:\n${this.log("controlplane")}`);
      // Each `skein status` is a process start competing with the mesh's own for the CPU:
      // ask it only once the runner has written its state and every sidecar has ACKed.
      if (!(await this.proxiesAcked())) {
        last = "sidecars not connected and ACKed yet";
        await sleep(200);
        continue;
      }
      const r = await this.skein("status", "-o", "json");
      if (r.code === 0) {
        const status = JSON.parse(r.stdout) as MeshStatus;
        if (status.workloads.length > 0 && status.workloads.every((w) => w.ready)) return status;
        last = `not ready: ${status.workloads.filter((w) => !w.ready).map((w) => w.name).join(", ")}`;
      } else {
        last = r.stderr.trim();
      }
      await sleep(300);
    }
    throw new Error(`the mesh was not ready within ${timeoutMs} ms (${last}); skein up said:\n${this.stderr}`);
  }

  /** Cheap pre-check for readiness: state written, and the control plane has an ACK from every sidecar. */
  private async proxiesAcked(): Promise<boolean> {
    const state = readState(this.stateDir);
    if (!state) return false;
    try {
      const r = await request(`${state.controlPlane.url}/api/v1/proxies`, { signal: AbortSignal.timeout(2000) });
      const { items } = (await r.body.json()) as { items: ProxyStatus[] };
      return state.workloads.every((w) => items.some((p) => p.workload === w.instance && p.namespace === w.namespace && p.connected && p.ackedVersion !== undefined && p.ackedVersion === p.sentVersion));
    } catch {
      return false;
    }
  }

  /**
   * Ctrl-C: SIGINT to `skein up`, wait (bounded) for it to exit, then for every pid it
   * recorded to be gone. Resolves to its exit status and the pids still alive after that
   * (they are then killed, so a failing test leaves nothing behind). Safe to call twice.
   */
  stop(): Promise<Stopped> {
    this.stopped ??= (async () => {
      const state = readState(this.stateDir);
      if (this.alive) {
        this.child.kill("SIGINT");
        await Promise.race([this.exited, sleep(20_000)]);
        if (this.alive) {
          this.child.kill("SIGKILL");
          await Promise.race([this.exited, sleep(5_000)]);
        }
      }
      const pids = state ? recordedPids(state) : [];
      const until = Date.now() + 5_000;
      while (pids.some(running) && Date.now() < until) await sleep(100);
      const survivors = pids.filter(running);
      for (const pid of survivors) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // Gone meanwhile.
          }
        }
      }
      rmSync(this.dir, { recursive: true, force: true });
      return { exitCode: this.exitCode ?? null, survivors };
    })();
    return this.stopped;
  }
}
