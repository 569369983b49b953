import "server-only";
import { ApiError } from "./http";
import { adminToken, settings } from "./settings";

/**
 * Calls to the control plane's API (docs/api.md). Reads need no credential; mutations
 * use the admin token and name the console user as the change's author.
 */
export async function controlPlane(path: string, init: { method?: string; body?: unknown; author?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", ...init.headers };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.author !== undefined) {
    const token = adminToken();
    if (!token) throw new ApiError(503, "NoAdminToken", `no admin token for the control plane: set SKEIN_ADMIN_TOKEN or SKEIN_STATE_DIR (looked in ${settings().stateDir}/admin-token)`);
    headers.authorization = `Bearer ${token}`;
    headers["x-skein-author"] = init.author;
  }
  try {
    return await fetch(settings().controlPlaneUrl + path, {
      method: init.method ?? "GET",
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      cache: "no-store",
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    throw new ApiError(502, "ControlPlaneUnavailable", `the control plane at ${settings().controlPlaneUrl} did not answer: ${(e as Error).message}`);
  }
}

/** GET and parse JSON, turning the control plane's errors into ours. */
export async function controlPlaneJson<T>(path: string): Promise<T> {
  const res = await controlPlane(path);
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? "ControlPlaneError", err?.message ?? `control plane answered ${res.status} to GET ${path}`);
  }
  return body as T;
}
