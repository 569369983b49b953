import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";
import type { ConnectionOptions } from "node:tls";
import type { Cluster } from "@skein/shared";
import { HOP_BY_HOP, type HeaderMap, type ProxyResponse } from "./http/exchange.ts";

/**
 * HTTP/2 towards upstream hosts with node:http2 client sessions, one per host, the way
 * Envoy's HTTP/2 connection pool multiplexes every request to a host on one connection.
 *
 * node:http2 rather than undici's `allowH2`: a stream's fate is visible per stream.
 * RST_STREAM codes (REFUSED_STREAM is retried as `refused-stream`, anything else is a
 * remote reset, UR) fail only their own request; a HEADERS frame that carries
 * END_STREAM is a gRPC trailers-only response and is relayed as one; trailers arrive
 * as an event before the body ends; and h2c with prior knowledge (towards a gRPC app)
 * uses the same client. undici's HTTP/2 client folds stream errors into generic ones.
 */

const { NGHTTP2_FLAG_END_STREAM, NGHTTP2_REFUSED_STREAM } = constants;

/** Connecting failed (refused, timed out, TLS handshake or peer identity): nothing was sent. */
export class Http2ConnectFailure extends Error {
  constructor(cause: unknown) {
    super(`HTTP/2 connect failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** The stream ended before response headers: RST_STREAM from the peer, or the connection went away. */
export class Http2StreamReset extends Error {
  constructor(
    /** The RST_STREAM error code; 0 when the connection closed under the stream. */
    readonly rstCode: number,
    cause?: unknown,
  ) {
    super(`HTTP/2 stream reset before response headers (code ${rstCode})`, { cause });
  }

  /** REFUSED_STREAM (also sent for streams past a GOAWAY's last id): the peer did not process it. */
  get refused(): boolean {
    return this.rstCode === NGHTTP2_REFUSED_STREAM;
  }
}

export interface Http2OriginOptions {
  /** `http://host:port` (h2c, prior knowledge) or `https://host:port` (h2 over ALPN). */
  origin: string;
  tls?: ConnectionOptions;
  connectTimeoutMs: number;
  /** Close a connection idle this long (Istio's connectionPool.http.idleTimeout). */
  idleTimeoutMs?: number;
  /** Open a new connection after this many streams (maxRequestsPerConnection); 0 = unlimited. */
  maxRequestsPerConnection?: number;
}

const noop = () => undefined;

const SESSION_GONE = new Set(["ERR_HTTP2_INVALID_SESSION", "ERR_HTTP2_GOAWAY_SESSION", "ERR_HTTP2_OUT_OF_STREAMS"]);

/** One upstream host's HTTP/2 connection; a new one replaces it when it closes, drains or is spent. */
export class Http2Origin {
  private current: ClientHttp2Session | undefined;
  private connecting: Promise<ClientHttp2Session> | undefined;
  private streams = 0;
  private readonly all = new Set<ClientHttp2Session>();

  constructor(private readonly options: Http2OriginOptions) {}

  /** A connected session with room for one more stream; the caller opens the stream right away. */
  async session(): Promise<ClientHttp2Session> {
    const s = this.current;
    if (s && !s.closed && !s.destroyed) {
      const max = this.options.maxRequestsPerConnection ?? 0;
      if (max === 0 || this.streams < max) {
        this.streams++;
        return s;
      }
      // Spent: let its streams finish, new ones go to a fresh connection.
      this.current = undefined;
      s.close();
    }
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    await this.connecting;
    return this.session();
  }

  private open(): Promise<ClientHttp2Session> {
    return new Promise((resolve, reject) => {
      const session = connect(this.options.origin, { ...(this.options.tls ?? {}) });
      this.all.add(session);
      let connected = false;
      const timer = setTimeout(() => session.destroy(new Error(`connect timeout after ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
      timer.unref();
      session.once("connect", () => {
        clearTimeout(timer);
        // A TLS peer that did not pick h2 in ALPN would read our preface as garbage.
        if (session.encrypted && session.alpnProtocol !== "h2") return void session.destroy(new Error(`peer negotiated "${session.alpnProtocol}" instead of h2`));
        connected = true;
        this.current = session;
        this.streams = 0;
        if (this.options.idleTimeoutMs) session.setTimeout(this.options.idleTimeoutMs, () => session.close());
        resolve(session);
      });
      session.on("error", (e) => {
        clearTimeout(timer);
        // After connecting, errors reach the streams that were open; nothing to do here.
        if (!connected) reject(new Http2ConnectFailure(e));
      });
      // A GOAWAY drains the connection: in-flight streams finish, new ones need a new one.
      session.once("goaway", () => this.forget(session));
      session.once("close", () => {
        clearTimeout(timer);
        this.forget(session);
        this.all.delete(session);
        if (!connected) reject(new Http2ConnectFailure(new Error("connection closed before the HTTP/2 handshake")));
      });
    });
  }

  private forget(session: ClientHttp2Session): void {
    if (this.current === session) this.current = undefined;
  }

  /** Graceful: open streams finish, then the connections close. */
  close(): void {
    this.current = undefined;
    for (const s of this.all) s.close();
  }

  destroy(): void {
    this.current = undefined;
    for (const s of this.all) s.destroy();
    this.all.clear();
  }
}

export interface Http2RequestInit {
  method: string;
  path: string;
  authority: string;
  scheme: "http" | "https";
  /** Already stripped of hop-by-hop headers; `te: trailers` may be set (gRPC needs it). */
  headers: HeaderMap;
  body: Buffer | null;
  signal: AbortSignal;
}

/**
 * Sends one request on the origin's connection and resolves with the response headers,
 * the body still streaming (the stream itself) and its trailers once they arrive.
 * A trailers-only response (HEADERS with END_STREAM, gRPC's way of failing fast) has
 * `body: null`, so the downstream side can answer with a single HEADERS frame too.
 */
export async function requestOverHttp2(origin: Http2Origin, init: Http2RequestInit): Promise<ProxyResponse> {
  const session = await origin.session();
  init.signal.throwIfAborted();
  const headers: OutgoingHttpHeaders = { ...init.headers, ":method": init.method, ":path": init.path, ":authority": init.authority, ":scheme": init.scheme };
  let stream: ClientHttp2Stream;
  try {
    stream = session.request(headers, { endStream: init.body === null || init.body.length === 0, signal: init.signal });
  } catch (e) {
    // The session was closing (GOAWAY) between our check and the request: not processed.
    if (SESSION_GONE.has((e as { code?: string }).code ?? "")) throw new Http2StreamReset(NGHTTP2_REFUSED_STREAM, e);
    throw e;
  }
  if (init.body && init.body.length > 0) stream.end(init.body);
  return new Promise<ProxyResponse>((resolve, reject) => {
    const onEarlyError = (e: unknown) => {
      stream.off("close", onEarlyClose);
      reject(init.signal.aborted ? init.signal.reason : new Http2StreamReset(stream.rstCode ?? 0, e));
    };
    const onEarlyClose = () => {
      stream.off("error", onEarlyError);
      reject(init.signal.aborted ? init.signal.reason : new Http2StreamReset(stream.rstCode ?? 0));
    };
    stream.once("error", onEarlyError);
    stream.once("close", onEarlyClose);
    stream.once("response", (raw: IncomingHttpHeaders, flags: number) => {
      stream.off("error", onEarlyError);
      stream.off("close", onEarlyClose);
      // From here on a reset shows as an error on the body, which whoever reads it handles.
      stream.on("error", noop);
      const status = Number(raw[":status"]);
      const out = responseHeaders(raw);
      if (flags & NGHTTP2_FLAG_END_STREAM) {
        stream.resume();
        return resolve({ status, headers: out, body: null });
      }
      let trailers: HeaderMap | undefined;
      stream.once("trailers", (t: IncomingHttpHeaders) => (trailers = responseHeaders(t)));
      resolve({ status, headers: out, body: stream, trailers: () => trailers });
    });
  });
}

function responseHeaders(raw: IncomingHttpHeaders): HeaderMap {
  const out: HeaderMap = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined && k[0] !== ":" && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/**
 * HTTP/2 forbids connection-specific headers (RFC 9113 §8.2.2); TE may only say
 * "trailers", which gRPC servers expect, so it is kept when the caller sent it.
 */
export function http2RequestHeaders(headers: HeaderMap, original: HeaderMap): HeaderMap {
  const te = original.te;
  if (te !== undefined && String(te).toLowerCase().includes("trailers")) headers.te = "trailers";
  return headers;
}

/**
 * Which HTTP version to speak upstream. Istio configures HTTP/2 for ports declared
 * http2 or grpc; for undeclared ports (sniffed, here "http" or unknown) its inbound
 * side uses the downstream protocol (USE_DOWNSTREAM_PROTOCOL). A gRPC request always
 * goes over HTTP/2: it cannot be carried by HTTP/1.1 (no trailers on most servers).
 * https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export function upstreamHttpVersion(protocol: Cluster["protocol"] | undefined, downstream: { http2: boolean; grpc: boolean }): "http1" | "http2" {
  if (protocol === "http2" || protocol === "grpc" || downstream.grpc) return "http2";
  if (protocol === undefined) return downstream.http2 ? "http2" : "http1";
  return "http1";
}
