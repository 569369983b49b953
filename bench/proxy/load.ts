// The bench's side of the load generator (load-generator.ts, a forked process): one
// command at a time, so the caller can read /proc before and after each measurement.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface LoadTarget {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Host header: names the service for a sidecar's outbound listener. */
  host: string;
  path: string;
  /** Upper bound of keep-alive connections (the closed loop uses this many). */
  maxConnections: number;
}

export type LoadCommand = { type: "closed"; seconds: number; connections: number } | { type: "open"; seconds: number; rate: number } | { type: "exit" };

export interface ClosedLoopResult {
  /** Requests answered 200. */
  requests: number;
  failed: number;
  seconds: number;
  firstError?: string;
}

/** Latencies in milliseconds, from the send to the last byte of the response. */
export interface OpenLoopResult extends ClosedLoopResult {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** How late the generator sent its most delayed request; large means it could not keep the rate. */
  maxSendLagMs: number;
}

export class LoadGenerator {
  private constructor(private readonly child: ChildProcess) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(target: LoadTarget): Promise<LoadGenerator> {
    const child = fork(join(import.meta.dirname, "load-generator.ts"), [JSON.stringify(target)], {
      execArgv: ["--import", "tsx"],
      cwd: join(import.meta.dirname, "..", ".."),
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    process.once("exit", () => child.exitCode === null && child.kill("SIGKILL"));
    await new Promise<void>((resolve, reject) => {
      child.once("message", () => resolve());
      child.once("exit", (code) => reject(new Error(`load generator exited (${code}) before it was ready`)));
    });
    return new LoadGenerator(child);
  }

  /** Keeps `connections` requests in flight for `seconds`. */
  closedLoop(seconds: number, connections: number): Promise<ClosedLoopResult> {
    return this.ask({ type: "closed", seconds, connections });
  }

  /** Sends `rate` requests per second for `seconds`, whatever the responses do. */
  openLoop(seconds: number, rate: number): Promise<OpenLoopResult> {
    return this.ask({ type: "open", seconds, rate });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send({ type: "exit" } satisfies LoadCommand);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private ask<T>(cmd: LoadCommand): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load generator exited (${code}) during a measurement`));
      this.child.once("exit", onExit);
      this.child.once("message", (m) => {
        this.child.off("exit", onExit);
        resolve(m as T);
      });
      this.child.send(cmd);
    });
  }
}
