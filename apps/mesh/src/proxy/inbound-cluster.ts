import { Pool } from "undici";
import { Http2Origin, Http2StreamReset, http2RequestHeaders, requestOverHttp2 } from "./http2-upstream.ts";
import { dispatchRequest } from "./http/dispatch.ts";
import { HOP_BY_HOP, type HeaderMap, type ProxyResponse } from "./http/exchange.ts";
import { openConnection } from "./tcp-tunnel.ts";
import { upgradeUpstream, type UpgradedResponse } from "./websocket.ts";

/** What the inbound side forwards to the app. */
export interface AppRequest {
  method: string;
  path: string;
  authority: string;
  headers: HeaderMap;
  body: Buffer | null;
}

/** Envoy's default connect timeout, used towards the local app. */
export const APP_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Envoy's inbound cluster (`inbound|<port>||`): the local app, spoken to over HTTP/1.1
 * (a keep-alive pool) or h2c with prior knowledge (one multiplexed connection), as the
 * port's protocol says (see upstreamHttpVersion).
 */
export class InboundCluster {
  private readonly http1: Pool;
  private http2: Http2Origin | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.http1 = new Pool(`http://${host}:${port}`, { headersTimeout: 0, bodyTimeout: 0 });
  }

  forward(req: AppRequest, version: "http1" | "http2"): Promise<ProxyResponse> {
    if (version === "http2") {
      this.http2 ??= new Http2Origin({ origin: `http://${this.host}:${this.port}`, connectTimeoutMs: APP_CONNECT_TIMEOUT_MS });
      // HTTP/2 refuses connection-specific headers, which an HTTP/1.1 caller may have sent.
      const headers: HeaderMap = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
      return requestOverHttp2(this.http2, { method: req.method, path: req.path, authority: req.authority, scheme: "http", headers: http2RequestHeaders(headers, req.headers), body: req.body, signal: NEVER });
    }
    req.headers.host = req.authority;
    return dispatchRequest(this.http1, req, undefined, { classify: (e) => e });
  }

  /** An Upgrade (WebSocket) request: HTTP/1.1 on a connection of its own. */
  async upgrade(req: AppRequest, protocol: string, signal: AbortSignal): Promise<UpgradedResponse> {
    const socket = await openConnection({ host: this.host, port: this.port, connectTimeoutMs: APP_CONNECT_TIMEOUT_MS }, signal);
    return upgradeUpstream(socket, { method: req.method, path: req.path, headers: { ...req.headers, host: req.authority }, upgrade: protocol }, signal);
  }

  async close(): Promise<void> {
    this.http2?.close();
    await this.http1.close();
  }
}

/** How a failure to reach the app is logged: the app reset the stream (UR) or could not be reached (UF). */
export function appFailureFlag(e: unknown): "UR" | "UF" {
  return e instanceof Http2StreamReset && e.rstCode !== 0 ? "UR" : "UF";
}

const NEVER = new AbortController().signal;
