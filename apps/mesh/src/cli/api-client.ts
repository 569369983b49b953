import { readFileSync } from "node:fs";
import { request } from "undici";
import type { ApiError } from "@skein/shared";
import { readState, stateDir } from "../runner/state.ts";

/** Where the control plane is and how to prove we may change it. */
export interface ApiTarget {
  url: string;
  token?: string;
}

/**
 * SKEIN_CONTROL_PLANE_URL and SKEIN_TOKEN win; otherwise the mesh `skein up` started,
 * found through SKEIN_STATE_DIR (default .skein/).
 */
export function resolveTarget(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ApiTarget {
  const dir = stateDir(env, cwd);
  const state = readState(dir);
  const url = env.SKEIN_CONTROL_PLANE_URL ?? state?.controlPlane.url;
  if (!url) throw new ApiUnavailable(`no control plane: set SKEIN_CONTROL_PLANE_URL, or start a mesh with \`skein up\` (state looked for in ${dir})`);
  let token = env.SKEIN_TOKEN;
  if (!token && state) {
    try {
      token = readFileSync(state.tokenFile, "utf8").trim();
    } catch {
      // Read-only calls work without it.
    }
  }
  return { url: url.replace(/\/$/, ""), ...(token ? { token } : {}) };
}

export class ApiUnavailable extends Error {}

export class ApiCallFailed extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError | undefined,
    message: string,
  ) {
    super(message);
  }
}

export async function callApi<T>(target: ApiTarget, method: string, path: string, body?: unknown): Promise<T> {
  let res;
  try {
    res = await request(`${target.url}${path}`, {
      method: method as "GET",
      headers: { ...(target.token ? { authorization: `Bearer ${target.token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new ApiUnavailable(`cannot reach the control plane at ${target.url}: ${(e as Error).message}`);
  }
  const text = await res.body.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.statusCode >= 400) {
    const err = parsed as ApiError | undefined;
    throw new ApiCallFailed(res.statusCode, err, err?.error?.message ?? `HTTP ${res.statusCode}`);
  }
  return parsed as T;
}
