import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { portsInUse } from "./port-plan.ts";
import { startProcess, stopAll, type Supervised } from "./processes.ts";

/** apps/web, whose production build (`next build`, see scripts/ensure-deps.mjs) the demo serves. */
export const WEB_DIR = resolve(import.meta.dirname, "../../../web");

export type ConsoleAuth = "signin" | "anonymous-editor";

export function parseConsoleAuth(value: string): ConsoleAuth {
  if (value !== "signin" && value !== "anonymous-editor") throw new Error(`--console-auth must be "signin" or "anonymous-editor", not "${value}"`);
  return value;
}

export interface ConsoleOptions {
  port: number;
  /** Loopback unless told otherwise, like everything the runner starts. */
  host?: string;
  controlPlaneUrl: string;
  prometheusUrl: string;
  /** Absolute: the console resolves relative paths against the repository, not the caller's directory. */
  stateDir: string;
  databaseUrl: string;
  auth: ConsoleAuth;
  logDir: string;
  /** The log file's name in `logDir`, without `.log` (default "console"). */
  name?: string;
  webDir?: string;
  /** How long to wait for the first answer; `next start` takes a few seconds on a busy machine. */
  readyTimeoutMs?: number;
}

export interface RunningConsole {
  url: string;
  process: Supervised;
  stop(): Promise<void>;
}

/** The build `next start` needs, in the folder next.config.ts names (NEXT_DIST_DIR or .next). */
export function consoleBuildId(webDir = WEB_DIR, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = join(webDir, env.NEXT_DIST_DIR ?? ".next", "BUILD_ID");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

/**
 * Starts the console (`next start` on the prebuilt apps/web) pointed at a mesh, and
 * resolves once it answers /api/auth/me, which also proves its database opens. Throws
 * with the reason (not built, port taken, exited early, no answer) so the caller can
 * say why and carry on without it.
 */
export async function startConsole(o: ConsoleOptions): Promise<RunningConsole> {
  const webDir = o.webDir ?? WEB_DIR;
  const host = o.host ?? "127.0.0.1";
  if (!consoleBuildId(webDir)) throw new Error(`the console is not built (no ${join(webDir, process.env.NEXT_DIST_DIR ?? ".next", "BUILD_ID")}): run \`node scripts/ensure-deps.mjs\`, which builds it`);
  if ((await portsInUse([o.port], host)).length > 0) throw new Error(`port ${o.port} on ${host} is in use (choose another with --console-port N or SKEIN_CONSOLE_PORT)`);
  const nextBin = createRequire(join(webDir, "package.json")).resolve("next/dist/bin/next");
  const proc = startProcess(o.name ?? "console", process.execPath, [nextBin, "start", "--port", String(o.port), "--hostname", host], {
    cwd: webDir,
    logDir: o.logDir,
    env: {
      SKEIN_CONTROL_PLANE_URL: o.controlPlaneUrl,
      PROMETHEUS_URL: o.prometheusUrl,
      SKEIN_STATE_DIR: o.stateDir,
      DATABASE_URL: o.databaseUrl,
      SKEIN_CONSOLE_AUTH: o.auth,
      NODE_ENV: "production",
    },
  });
  const url = `http://${host}:${o.port}`;
  const stop = () => stopAll([proc]);
  try {
    await waitForConsole(url, proc, o.readyTimeoutMs ?? 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, process: proc, stop };
}

async function waitForConsole(url: string, proc: Supervised, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < until) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`the console exited while starting; see ${proc.logFile}`);
    try {
      const res = await fetch(`${url}/api/auth/me`, { signal: AbortSignal.timeout(5000) });
      const body = await res.text();
      if (res.ok) return;
      last = `HTTP ${res.status}: ${body.slice(0, 200)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the console did not answer ${url}/api/auth/me within ${timeoutMs / 1000} s (${last}); see ${proc.logFile}`);
}
