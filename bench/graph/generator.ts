// The bench's side of the metrics generator (generator-process.ts): forks it, starts the
// synthetic mesh, grows it on demand, and stops it by its pid, also when the bench dies.
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { FromGenerator, ToGenerator } from "./generator-process.ts";
import type { GraphMeshPlan } from "./synthetic-mesh.ts";

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

type Reply<T extends FromGenerator["type"]> = Extract<FromGenerator, { type: T }>;

export class MetricsGenerator {
  private readonly inbox: FromGenerator[] = [];
  private wake: (() => void) | undefined;
  private output = "";
  private exited: string | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (m: FromGenerator) => {
      this.inbox.push(m);
      this.wake?.();
    });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4096));
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    child.once("exit", (code, signal) => {
      running.delete(child);
      this.exited = `exited (${code ?? signal})`;
      this.wake?.();
    });
  }

  static async start(plan: GraphMeshPlan): Promise<{ generator: MetricsGenerator; ready: Reply<"ready"> }> {
    const child = fork(join(import.meta.dirname, "generator-process.ts"), [], {
      execArgv: ["--import", "tsx"],
      cwd: join(import.meta.dirname, "..", ".."),
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    running.add(child);
    const generator = new MetricsGenerator(child);
    generator.send({ type: "start", plan });
    return { generator, ready: await generator.reply("ready", 60_000) };
  }

  get pid(): number {
    return this.child.pid!;
  }

  grow(workloads: number, seed: number): Promise<Reply<"grown">> {
    this.send({ type: "grow", workloads, seed });
    return this.reply("grown", 30_000);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    if (this.child.connected) this.send({ type: "close" });
    else this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private send(m: ToGenerator): void {
    this.child.send(m);
  }

  private async reply<T extends FromGenerator["type"]>(type: T, timeoutMs: number): Promise<Reply<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const error = this.inbox.find((m) => m.type === "error");
      if (error?.type === "error") throw new Error(`metrics generator: ${error.message}`);
      const i = this.inbox.findIndex((m) => m.type === type);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Reply<T>;
      if (this.exited) throw new Error(`metrics generator ${this.exited}:\n${this.output}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`metrics generator: no "${type}" within ${timeoutMs} ms:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => (clearTimeout(timer), resolve());
      });
    }
  }
}
