import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";

export interface Supervised {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

/**
 * Starts a child in its own process group with its output in a log file, so one Ctrl-C
 * in the runner stops everything cleanly and nothing is left behind.
 */
export function startProcess(name: string, command: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; logDir: string; shell?: boolean }): Supervised {
  mkdirSync(opts.logDir, { recursive: true });
  const logFile = join(opts.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(command, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"], detached: true, shell: opts.shell ?? false });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      log.end();
      resolve(code);
    });
    child.once("error", (e) => {
      log.write(`failed to start: ${e.message}\n`);
      log.end();
      resolve(-1);
    });
  });
  return { name, child, logFile, exited };
}

/** SIGTERM to each process group, then SIGKILL after `graceMs` for what is left. */
export async function stopAll(procs: readonly Supervised[], graceMs = 5000): Promise<void> {
  const signal = (p: Supervised, sig: NodeJS.Signals) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null || !p.child.pid) return;
    try {
      process.kill(-p.child.pid, sig);
    } catch {
      // Already gone.
    }
  };
  for (const p of procs) signal(p, "SIGTERM");
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
  const all = Promise.all(procs.map((p) => p.exited));
  if ((await Promise.race([all, timeout])) === "timeout") for (const p of procs) signal(p, "SIGKILL");
  await Promise.race([all, new Promise((r) => setTimeout(r, 2000).unref())]);
}
