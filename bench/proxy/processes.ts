// Child processes of the proxy bench, and what /proc says about them. Every process the
// bench starts is registered here and stopped by its own pid, also when the bench dies
// half-way (the exit hook), so a failed run leaves no sidecar or nginx behind.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";

export interface Started {
  name: string;
  pid: number;
  /** Date.now() when it was spawned. */
  startedAt: number;
  child: ChildProcess;
  /** The first match of `ready` in the process's output (empty with a probe). */
  ready: RegExpMatchArray | [];
  /** The last few KiB of stdout and stderr, for error messages. */
  output(): string;
  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of running) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) safeKill(c.pid, "SIGKILL");
});

export interface StartOptions {
  args: string[];
  command?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Printed on stdout or stderr once the process serves; or a probe polled until it says yes. */
  ready: RegExp | (() => Promise<boolean>);
  timeoutMs?: number;
}

/** Starts a process and resolves when its output matches `ready`; rejects (and stops it) otherwise. */
export function startProcess(name: string, o: StartOptions): Promise<Started> {
  const startedAt = Date.now();
  const child = spawn(o.command ?? process.execPath, o.args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => (running.delete(child), resolve())));
  let out = "";
  const stop = async (signal: NodeJS.Signals = "SIGTERM", graceMs = 5_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    safeKill(child.pid!, signal);
    const timer = setTimeout(() => safeKill(child.pid!, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<Started>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop("SIGKILL").then(() => reject(new Error(`${name}: ${why}\n${out.slice(-2000)}`)));
    };
    const timer = setTimeout(() => fail(`not ready after ${o.timeoutMs ?? 20_000} ms`), o.timeoutMs ?? 20_000);
    let done = false;
    const ready = (m: RegExpMatchArray | []) => {
      done = true;
      clearTimeout(timer);
      resolve({ name, pid: child.pid!, startedAt, child, ready: m, output: () => out, stop });
    };
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-8192);
      if (done || typeof o.ready === "function") return;
      const m = out.match(o.ready);
      if (m) ready(m);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    if (typeof o.ready === "function") {
      const probe = o.ready;
      const poll = async () => {
        if (done) return;
        if (await probe().catch(() => false)) return done || ready([]);
        setTimeout(() => void poll(), 50);
      };
      void poll();
    }
    child.once("error", (e) => !done && fail(e.message));
    child.once("exit", (code, sig) => !done && fail(`exited (${code ?? sig}) before it was ready`));
  });
}

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// ---- /proc ---------------------------------------------------------------------------

let clockTicks: number | undefined;

/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat (100 on Linux almost always). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds the process (all its threads) has spent in user space and in the kernel so far. */
export function cpuTimes(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name is in parentheses and may hold spaces: count fields after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) / ticksPerSecond(), system: Number(fields[12]) / ticksPerSecond() };
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.system;
}

/** Resident set size in bytes (VmRSS), or 0 once the process is gone. */
export function rssBytes(pid: number): number {
  return rssParts(pid).rss;
}

/**
 * VmRSS and its two parts, in bytes (all 0 once the process is gone): RssAnon is the
 * process's own memory (JS heap, malloc, stacks); RssFile is mapped files, for a Node
 * process mostly the pages of the node binary it has touched, which every Node process
 * on the machine shares.
 */
export function rssParts(pid: number): { rss: number; anon: number; file: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m"))?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile") };
  } catch {
    return { rss: 0, anon: 0, file: 0 };
  }
}

/** The pids whose parent is `pid` (nginx's workers under its master). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Samples VmRSS of some processes every `intervalMs` and keeps each one's peak. */
export class RssSampler {
  private readonly peaks = new Map<number, number>();
  /** RssAnon and RssFile at the moment of each process's peak. */
  private readonly partsAtPeak = new Map<number, { anon: number; file: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: readonly number[]) {}

  start(intervalMs = 100): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): Map<number, number> {
    clearInterval(this.timer);
    this.sample();
    return this.peaks;
  }

  /** What the peak of `pid` was made of (after `stop`). */
  peakParts(pid: number): { anon: number; file: number } {
    return this.partsAtPeak.get(pid) ?? { anon: 0, file: 0 };
  }

  private sample(): void {
    for (const pid of this.pids) {
      const now = rssParts(pid);
      if (now.rss < (this.peaks.get(pid) ?? 0)) continue;
      this.peaks.set(pid, now.rss);
      this.partsAtPeak.set(pid, { anon: now.anon, file: now.file });
    }
  }
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A port the kernel considers free right now, for servers that cannot report the one they got. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** CPU seconds the whole machine has been busy so far, all cores (from /proc/stat; steal counts as busy). */
export function machineBusySeconds(): number {
  const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond();
}

/**
 * Waits (at most `maxWaitMs`) until processes other than `ours` use under `threshold`
 * cores over a one-second window. This machine is shared: a type-check or test run next
 * door takes a core, and a measurement taken then is a measurement of the neighbour.
 * Resolves with the cores others used in the last window.
 */
export async function waitForQuietMachine(ours: readonly number[], log: (line: string) => void, threshold = 0.25, maxWaitMs = 15_000): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let warned = false;
  for (;;) {
    const others = await othersCores(ours, 1000);
    if (others < threshold) return others;
    if (Date.now() >= deadline) {
      log(`warning: other processes still use ${others.toFixed(2)} cores after ${maxWaitMs / 1000} s; measuring anyway`);
      return others;
    }
    if (!warned) log(`other processes use ${others.toFixed(2)} cores; waiting up to ${maxWaitMs / 1000} s for a quiet machine`);
    warned = true;
  }
}

async function othersCores(ours: readonly number[], windowMs: number): Promise<number> {
  const mine = () => ours.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const m0 = machineBusySeconds();
  const o0 = mine();
  await new Promise((r) => setTimeout(r, windowMs));
  return Math.max(0, machineBusySeconds() - m0 - (mine() - o0)) / (windowMs / 1000);
}
