// The bench's side of a fleet process (fleet-process.ts): forks it with IPC, sends it
// commands and waits for its answers. A fleet exits by itself when the bench goes away,
// and is killed by its pid on the bench's exit if it has not.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { FleetSidecar, FromFleet, SnapshotRecord, ToFleet } from "./protocol.ts";

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of running) killQuietly(c, "SIGKILL");
});

type Reply<T extends FromFleet["type"]> = Extract<FromFleet, { type: T }>;

export class Fleet {
  private readonly inbox: FromFleet[] = [];
  private readonly waiters = new Set<() => void>();
  private output = "";
  private exited: string | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on("message", (m: FromFleet) => {
      this.inbox.push(m);
      this.wake();
    });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4096));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    child.once("exit", (code, signal) => {
      running.delete(child);
      this.exited = `exited (${code ?? signal})`;
      this.wake();
    });
  }

  static start(name: string): Fleet {
    const child = fork(join(import.meta.dirname, "fleet-process.ts"), [], {
      execArgv: ["--import", "tsx"],
      cwd: join(import.meta.dirname, "..", ".."),
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    running.add(child);
    return new Fleet(name, child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  async connect(controlPlane: string, sidecars: FleetSidecar[], pools: { streamConnections: number; ackConnections: number; deltas: boolean }, timeoutMs: number): Promise<Reply<"connected">> {
    this.send({ type: "connect", controlPlane, sidecars, ...pools });
    return this.reply("connected", () => true, timeoutMs);
  }

  async mark(change: number, expected: string[]): Promise<void> {
    this.send({ type: "mark", change, expected });
    await this.reply("marked", (m) => m.change === change, 10_000);
  }

  settled(change: number, timeoutMs: number): Promise<Reply<"settled">> {
    return this.reply("settled", (m) => m.change === change, timeoutMs);
  }

  async collect(change: number, quietMs: number, maxWaitMs: number): Promise<{ records: SnapshotRecord[]; disconnected: string[]; quiet: boolean }> {
    this.send({ type: "collect", change, quietMs, maxWaitMs });
    return this.reply("collected", (m) => m.change === change, maxWaitMs + 30_000);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    if (this.child.connected) this.send({ type: "close" });
    else killQuietly(this.child, "SIGTERM");
    const timer = setTimeout(() => killQuietly(this.child, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private send(m: ToFleet): void {
    if (this.exited) throw new Error(`${this.name} ${this.exited}:\n${this.output}`);
    this.child.send(m);
  }

  /** The first message of `type` that `match` accepts, taken from the inbox; fails on the fleet's errors. */
  private async reply<T extends FromFleet["type"]>(type: T, match: (m: Reply<T>) => boolean, timeoutMs: number): Promise<Reply<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const error = this.inbox.find((m) => m.type === "error");
      if (error) throw new Error(`${this.name}: ${(error as Reply<"error">).message}`);
      const i = this.inbox.findIndex((m) => m.type === type && match(m as Reply<T>));
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Reply<T>;
      if (this.exited) throw new Error(`${this.name} ${this.exited} while the bench waited for "${type}":\n${this.output}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new FleetTimeout(`${this.name}: no "${type}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        const waiters = this.waiters;
        waiters.add(done);
      });
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export class FleetTimeout extends Error {}

function killQuietly(c: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(c.pid, signal);
  } catch {
    // already gone
  }
}
