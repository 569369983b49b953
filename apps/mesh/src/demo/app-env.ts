import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Agent, request } from "undici";

/** What `skein up` tells a workload's process about itself and its sidecar. */
export interface AppEnv {
  port: number;
  workload: string;
  namespace: string;
  version: string;
  /** host:port of the sidecar's outbound listener; services are called through it. */
  outbound?: string;
}

export function readAppEnv(env: NodeJS.ProcessEnv = process.env): AppEnv {
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error("PORT must be set to the port this app listens on");
  const proxy = env.SKEIN_OUTBOUND ?? env.HTTP_PROXY?.replace(/^https?:\/\//, "").replace(/\/$/, "");
  return {
    port,
    workload: env.SKEIN_WORKLOAD ?? "app",
    namespace: env.SKEIN_NAMESPACE ?? "default",
    version: env.SKEIN_VERSION ?? "unknown",
    ...(proxy ? { outbound: proxy } : {}),
  };
}

/** Headers an app must copy from its request to the requests it makes, so traces and routing by user work (as bookinfo does). */
const PROPAGATED = ["x-request-id", "traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "b3", "end-user", "user-agent", "cookie"];

export function propagate(from: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of PROPAGATED) {
    const v = from.headers[h];
    if (typeof v === "string") out[h] = v;
  }
  return out;
}

const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

/** Calls a mesh service through the sidecar: `host` is the service as a caller names it (`reviews:9080`). */
export async function callService(env: AppEnv, host: string, path: string, headers: Record<string, string>, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  const target = env.outbound ?? host;
  const res = await request(`http://${target}${path}`, { headers: { ...headers, host }, dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.statusCode, body: await res.body.text() };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function serve(env: AppEnv, handler: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void): Promise<Server> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: (e as Error).message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(env.port, "127.0.0.1", () => resolve(server)));
}

/** Parses "150ms", "1.5s", "2s" or a number of milliseconds. */
export function parseDelay(text: string | null): number {
  if (!text) return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) return 0;
  return Math.min(Number(m[1]) * (m[2] === "s" ? 1000 : 1), 60_000);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
