/** A failed console API call, with the server's error code and any details (diagnostics, conflicts). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

// The session's CSRF token, learnt from /api/auth/me or sign-in; every mutation sends it.
let csrfToken = "";
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function parse<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiFailure(res.status, err?.code ?? `HTTP${res.status}`, err?.message ?? `${what} failed with HTTP ${res.status}`, body);
  }
  return body as T;
}

/** `acceptHeader: false` sends the request as a preload would (a preload sends no Accept of its own). */
export async function apiGet<T>(path: string, signal?: AbortSignal, acceptHeader = true): Promise<T> {
  const res = await fetch(path, { ...(acceptHeader ? { headers: { accept: "application/json" } } : {}), ...(signal ? { signal } : {}) });
  return parse<T>(res, `GET ${path}`);
}

export async function apiSend<T>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { accept: "application/json", "x-skein-csrf": csrfToken, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return parse<T>(res, `${method} ${path}`);
}
