import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { DownstreamConnectionTermination } from "../response-flags.ts";
import type { HeaderMap, ProxyResponse } from "./exchange.ts";
import { UpstreamBody, type BodySink } from "./upstream-body.ts";

export type DownstreamRequest = IncomingMessage | Http2ServerRequest;
export type DownstreamResponse = ServerResponse | Http2ServerResponse;

/** Headers that describe one HTTP/1.1 connection; HTTP/2 forbids them in a response (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set(["transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade", "http2-settings"]);

/** Envoy buffers a request body for retries up to its buffer limit; Skein buffers it whole up to this. */
export const MAX_BUFFERED_BODY = 64 * 1024 * 1024;

export class BodyTooLarge extends Error {}

/**
 * An HTTP/1.1 request that carries no body (RFC 9112 §6.3: no Transfer-Encoding and no or
 * a zero Content-Length), so reading it can be skipped: node's server drains an unread
 * request itself. HTTP/2 requests are always read.
 */
export function hasNoBody(req: DownstreamRequest): boolean {
  if ("stream" in req) return false;
  const h = req.headers;
  return h["transfer-encoding"] === undefined && (h["content-length"] === undefined || h["content-length"] === "0");
}

export async function readBody(req: DownstreamRequest): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BUFFERED_BODY) throw new BodyTooLarge(`request body over ${MAX_BUFFERED_BODY} bytes`);
    chunks.push(chunk);
  }
  return chunks.length === 0 ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * Lower-case request headers without pseudo-headers (HTTP/2), and without `omit`: a
 * header the caller reads from `req.headers` itself and must not forward. Leaving it out
 * here rather than deleting it later keeps the map a fast-properties object (V8 turns an
 * object into a hash table when any but its last property is deleted).
 */
export function requestHeaders(req: DownstreamRequest, omit?: string): HeaderMap {
  const out: HeaderMap = {};
  const headers = req.headers;
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined || k.charCodeAt(0) === 0x3a /* ":" */ || k === omit) continue;
    out[k] = v;
  }
  return out;
}

export interface Written {
  /** Body bytes sent downstream. */
  bytes: number;
  /** The whole response went out (false: the client went away or the upstream broke mid-body). */
  complete: boolean;
}

/**
 * Writes the response downstream and calls `done` once it is written (or the client went
 * away). Trailers (gRPC) are written after the body. A body that arrived whole before
 * this runs (the usual small response) goes out in one `end()` with no listener at all.
 * `omit` names a response header that stays behind (one the caller has consumed).
 */
export function writeResponse(res: DownstreamResponse, response: ProxyResponse, done: (written: Written) => void, omit?: string): void {
  const body = response.body;
  if (res.destroyed) {
    if (body instanceof UpstreamBody) body.destroy();
    else if (body instanceof Readable) body.destroy();
    return done({ bytes: 0, complete: false });
  }
  const headers: Record<string, string | string[]> = {};
  for (const k in response.headers) {
    if (k === omit || CONNECTION_SPECIFIC.has(k)) continue;
    headers[k] = response.headers[k]!;
  }
  const isHttp2 = "stream" in res;
  const trailers = response.trailers;
  if (isHttp2 && body === null) {
    // One HEADERS frame with END_STREAM: how gRPC's trailers-only responses (grpc-status
    // in the headers, e.g. a fault abort or an upstream that fails fast) must look.
    const stream = (res as Http2ServerResponse).stream;
    if (stream.destroyed || stream.headersSent) return done({ bytes: 0, complete: false });
    stream.respond({ ...headers, ":status": response.status }, { endStream: true });
    return done({ bytes: 0, complete: true });
  }
  if (trailers && !isHttp2 && headers["content-length"] === undefined) headers.trailer = "grpc-status, grpc-message";
  const out = res as ServerResponse;
  out.writeHead(response.status, headers);
  if (body === null) {
    endWith(out, undefined, trailers?.());
    return done({ bytes: 0, complete: true });
  }
  if (Buffer.isBuffer(body)) {
    endWith(out, body, trailers?.());
    return done({ bytes: body.length, complete: true });
  }
  if (body instanceof UpstreamBody) {
    if (!body.complete) return body.pipeTo(new DownstreamSink(out, body, done));
    const chunks = body.takeQueued();
    let bytes = 0;
    for (let i = 0; i < chunks.length - 1; i++) {
      bytes += chunks[i]!.length;
      out.write(chunks[i]);
    }
    const last = chunks.length > 0 ? chunks[chunks.length - 1]! : undefined;
    bytes += last?.length ?? 0;
    endWith(out, last, body.trailers);
    return done({ bytes, complete: true });
  }
  pipeReadable(out, body, () => trailers?.(), done);
}

function endWith(res: ServerResponse, last: Buffer | undefined, trailers: HeaderMap | undefined): void {
  if (trailers) {
    if (last) res.write(last);
    res.addTrailers(trailers as Record<string, string>);
    res.end();
  } else if (last) res.end(last);
  else res.end();
}

/** The downstream end of an UpstreamBody: backpressure by `drain`, the client's going away resets the upstream. */
class DownstreamSink implements BodySink {
  private bytes = 0;
  private waiting = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly body: UpstreamBody,
    private readonly done: (written: Written) => void,
  ) {
    res.once("close", this.onClose);
  }

  write(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.res.write(chunk)) return true;
    if (!this.waiting) {
      this.waiting = true;
      this.res.once("drain", this.onDrain);
    }
    return false;
  }

  end(trailers: HeaderMap | undefined): void {
    this.res.off("close", this.onClose);
    endWith(this.res, undefined, trailers);
    this.done({ bytes: this.bytes, complete: true });
  }

  fail(): void {
    this.res.off("close", this.onClose);
    // The upstream broke mid-body: cut the downstream too, as Envoy resets the stream.
    this.res.destroy();
    this.done({ bytes: this.bytes, complete: false });
  }

  private readonly onDrain = (): void => {
    this.waiting = false;
    this.body.resume();
  };

  private readonly onClose = (): void => {
    this.body.destroy(new DownstreamConnectionTermination());
    this.done({ bytes: this.bytes, complete: false });
  };
}

/** A Readable body (HTTP/2 upstreams, upgrade refusals). */
function pipeReadable(res: ServerResponse, stream: Readable, trailers: () => HeaderMap | undefined, done: (written: Written) => void): void {
  let bytes = 0;
  if (stream.destroyed && !stream.readableEnded) {
    // The upstream broke before anyone read the body (its error already fired).
    res.destroy();
    return done({ bytes, complete: false });
  }
  const onClose = () => {
    stream.destroy();
    done({ bytes, complete: false });
  };
  res.once("close", onClose);
  stream.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (!res.write(chunk)) {
      stream.pause();
      res.once("drain", () => stream.resume());
    }
  });
  stream.once("end", () => {
    res.off("close", onClose);
    endWith(res, undefined, trailers());
    done({ bytes, complete: true });
  });
  stream.once("error", () => {
    res.off("close", onClose);
    // The upstream broke mid-body: cut the downstream too, as Envoy resets the stream.
    res.destroy();
    done({ bytes, complete: false });
  });
}
