import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError, sendError, sendJson, type RequestContext, type RouteDef } from "./http.ts";

export interface Authenticator {
  /** The admin token's holder, or undefined when the header does not carry it. */
  admin(authorization: string | undefined): string | undefined;
  /** The workload a join token belongs to (`namespace/serviceAccount/workload`), or undefined. */
  sidecar(authorization: string | undefined): string | undefined;
}

interface CompiledRoute extends RouteDef {
  pattern: RegExp;
  names: string[];
}

/**
 * Matches method and path to a route, authenticates it, runs it, and turns what it
 * returns into JSON (undefined = the handler wrote the response itself, e.g. SSE).
 */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  constructor(private readonly auth: Authenticator) {}

  add(...defs: RouteDef[]): this {
    for (const d of defs) {
      const names: string[] = [];
      const pattern = new RegExp(
        "^" +
          d.path.replace(/:[a-zA-Z]+/g, (m) => {
            names.push(m.slice(1));
            return "([^/]+)";
          }) +
          "$",
      );
      this.routes.push({ ...d, pattern, names });
    }
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://control-plane");
    try {
      let pathMatched = false;
      for (const r of this.routes) {
        const m = r.pattern.exec(url.pathname);
        if (!m) continue;
        pathMatched = true;
        if (r.method !== req.method) continue;
        const params: Record<string, string> = {};
        r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
        const ctx: RequestContext = { req, res, url, params };
        if (r.auth !== "none") {
          const who = r.auth === "admin" ? this.auth.admin(req.headers.authorization) : this.auth.sidecar(req.headers.authorization);
          if (!who) throw new HttpError(401, "Unauthorized", r.auth === "admin" ? "this call changes the mesh: send Authorization: Bearer <admin token> (see SKEIN_TOKEN in README)" : "a sidecar join token is required");
          ctx.principal = who;
        }
        const body = await r.handler(ctx);
        if (body !== undefined && !res.headersSent) sendJson(res, 200, body);
        return;
      }
      throw pathMatched ? new HttpError(405, "MethodNotAllowed", `${req.method} is not allowed on ${url.pathname}`) : new HttpError(404, "NotFound", `no such endpoint: ${url.pathname}`);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) return sendError(res, e);
      console.error("skein controlplane: unexpected error", e);
      sendError(res, new HttpError(500, "Internal", (e as Error).message));
    }
  }
}
