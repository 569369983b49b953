import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { HeaderMap, ProxyResponse } from "./exchange.ts";

export type DownstreamRequest = IncomingMessage | Http2ServerRequest;
export type DownstreamResponse = ServerResponse | Http2ServerResponse;

/** Headers that describe one HTTP/1.1 connection; HTTP/2 forbids them in a response (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set(["transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade", "http2-settings"]);

/** Envoy buffers a request body for retries up to its buffer limit; Skein buffers it whole up to this. */
export const MAX_BUFFERED_BODY = 64 * 1024 * 1024;

export class BodyTooLarge extends Error {}

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

/** Lower-case request headers without pseudo-headers (HTTP/2) or hop-by-hop ones. */
export function requestHeaders(req: DownstreamRequest): HeaderMap {
  const out: HeaderMap = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k.startsWith(":")) continue;
    out[k] = v;
  }
  return out;
}

/**
 * Writes the response downstream and resolves with the body bytes sent once it is done
 * (or the client went away). Trailers (gRPC) are written after the body.
 */
export function writeResponse(res: DownstreamResponse, response: ProxyResponse): Promise<{ bytes: number; complete: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(response.headers)) {
      if (CONNECTION_SPECIFIC.has(k)) continue;
      headers[k] = v;
    }
    const isHttp2 = "stream" in res;
    const trailers = response.trailers;
    if (isHttp2 && response.body === null) {
      // One HEADERS frame with END_STREAM: how gRPC's trailers-only responses (grpc-status
      // in the headers, e.g. a fault abort or an upstream that fails fast) must look.
      const stream = (res as Http2ServerResponse).stream;
      if (stream.destroyed || stream.headersSent) return resolve({ bytes: 0, complete: false });
      stream.respond({ ...headers, ":status": response.status }, { endStream: true });
      return resolve({ bytes: 0, complete: true });
    }
    if (trailers && !isHttp2 && headers["content-length"] === undefined) headers.trailer = "grpc-status, grpc-message";
    (res as ServerResponse).writeHead(response.status, headers);
    const finish = (complete: boolean) => {
      const t = trailers?.();
      if (complete && t) (res as ServerResponse).addTrailers(t as Record<string, string>);
      res.end();
      resolve({ bytes, complete });
    };
    const body = response.body;
    if (body === null) return finish(true);
    if (Buffer.isBuffer(body)) {
      bytes = body.length;
      (res as ServerResponse).write(body);
      return finish(true);
    }
    const stream = body as Readable;
    if (stream.destroyed && !stream.readableEnded) {
      // The upstream broke before anyone read the body (its error already fired).
      res.destroy();
      return resolve({ bytes, complete: false });
    }
    const onClose = () => {
      stream.destroy();
      resolve({ bytes, complete: false });
    };
    res.once("close", onClose);
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (!(res as ServerResponse).write(chunk)) {
        stream.pause();
        res.once("drain", () => stream.resume());
      }
    });
    stream.once("end", () => {
      res.off("close", onClose);
      finish(true);
    });
    stream.once("error", () => {
      res.off("close", onClose);
      // The upstream broke mid-body: cut the downstream too, as Envoy resets the stream.
      res.destroy();
      resolve({ bytes, complete: false });
    });
  });
}

export function toReadable(body: ProxyResponse["body"]): Readable | null {
  if (body === null) return null;
  return Buffer.isBuffer(body) ? Readable.from([body]) : body;
}
