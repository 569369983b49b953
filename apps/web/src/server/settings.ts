import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * Where the console finds the mesh. Everything comes from the environment (documented in
 * README.md), so the console runs against the demo mesh or another Prometheus and
 * control plane unchanged.
 */
export interface ConsoleSettings {
  controlPlaneUrl: string;
  prometheusUrl: string;
  stateDir: string;
  databaseUrl: string;
  /** The committed SQL migrations, applied on start like the control plane does. */
  migrationsDir: string;
  /** "signin" (default) or "anonymous-editor" (the demo: everyone edits, with a banner). */
  auth: "signin" | "anonymous-editor";
  /** Secure cookies when served over https. */
  secureCookies: boolean;
}

let cached: ConsoleSettings | undefined;

export function settings(): ConsoleSettings {
  if (cached) return cached;
  const env = process.env;
  // `next start` runs in apps/web; the state dir and migrations are relative to the repository.
  const repoRoot = path.resolve(/*turbopackIgnore: true*/ process.cwd(), "../..");
  const stateDir = path.resolve(/*turbopackIgnore: true*/ repoRoot, env.SKEIN_STATE_DIR ?? ".skein");
  const auth = env.SKEIN_CONSOLE_AUTH ?? "signin";
  if (auth !== "signin" && auth !== "anonymous-editor") throw new Error(`SKEIN_CONSOLE_AUTH must be "signin" or "anonymous-editor", not "${auth}"`);
  cached = {
    controlPlaneUrl: (env.SKEIN_CONTROL_PLANE_URL ?? "http://127.0.0.1:15000").replace(/\/+$/, ""),
    prometheusUrl: (env.PROMETHEUS_URL ?? "http://127.0.0.1:9090").replace(/\/+$/, ""),
    stateDir,
    databaseUrl: env.DATABASE_URL ?? `file:${path.join(stateDir, "skein.db")}`,
    migrationsDir: path.join(/*turbopackIgnore: true*/ repoRoot, "prisma", "migrations"),
    auth,
    secureCookies: env.SKEIN_CONSOLE_SECURE_COOKIES === "1",
  };
  return cached;
}

/** The control plane's admin token: SKEIN_ADMIN_TOKEN, or the file the control plane wrote. Read on each use, as a restarted control plane writes a new one. */
export function adminToken(): string | undefined {
  if (process.env.SKEIN_ADMIN_TOKEN) return process.env.SKEIN_ADMIN_TOKEN;
  try {
    return readFileSync(path.join(/*turbopackIgnore: true*/ settings().stateDir, "admin-token"), "utf8").trim();
  } catch {
    return undefined;
  }
}
