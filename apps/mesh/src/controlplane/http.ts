import type { IncomingMessage, ServerResponse } from "node:http";
import type * as z from "zod";
import type { ApiError } from "@skein/shared";

/** An error the API answers with its status and a JSON body (see packages/shared/src/api). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly diagnostics?: NonNullable<ApiError["error"]["diagnostics"]>,
  ) {
    super(message);
  }
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** The caller, once authenticated: "admin", a user name, or a workload for sidecar calls. */
  principal?: string;
}

export type RouteHandler = (ctx: RequestContext) => Promise<unknown>;

export interface RouteDef {
  method: string;
  /** Path with `:param` segments, e.g. /api/v1/resources/:kind/:namespace/:name */
  path: string;
  /** "admin" (mutations: the admin token), "sidecar" (a join token), or "none". */
  auth: "admin" | "sidecar" | "none";
  handler: RouteHandler;
}

export const MAX_BODY = 16 * 1024 * 1024;

export async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> {
  const text = (await readBodyBuffer(req)).toString("utf8");
  let value: unknown;
  try {
    value = text === "" ? {} : JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, "BadJson", `request body is not JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new HttpError(400, "BadRequest", `${first.path.join(".") || "body"}: ${first.message}`);
  }
  return parsed.data;
}

export async function readBodyBuffer(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new HttpError(413, "TooLarge", `request body over ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v));
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, { error: { code: e.code, message: e.message, ...(e.diagnostics ? { diagnostics: e.diagnostics } : {}) } });
}

/** Server-sent events: returns a writer; the caller ends it on close. */
export function openEventStream(res: ServerResponse): { send(event: string, data: unknown): boolean; close(): void } {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
  res.flushHeaders();
  return {
    send(event, data) {
      return res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      res.end();
    },
  };
}
