import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { InstancePorts } from "./port-plan.ts";

/** Where `skein up` keeps what other commands need to find the running mesh. */
export function stateDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.SKEIN_STATE_DIR ?? ".skein");
}

export interface RunnerState {
  pid: number;
  startedAt: string;
  /** `pid` is the control plane's process (absent in state written by older runners). */
  controlPlane: { url: string; port: number; pid?: number };
  /** Admin token for mutating API calls (also in token file, mode 0600). */
  tokenFile: string;
  workloads: {
    name: string;
    instance: string;
    namespace: string;
    serviceAccount: string;
    labels: Record<string, string>;
    service?: { name: string; port: number };
    ports: InstancePorts;
    pids: { app?: number; sidecar?: number };
  }[];
}

export function writeState(dir: string, state: RunnerState): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, "state.json.tmp");
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  renameSync(tmp, join(dir, "state.json"));
}

export function readState(dir: string): RunnerState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as RunnerState;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
