import { STATUS_CODES } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import type { Cluster, Endpoint } from "@skein/shared";
import type { TransportSecurity, UpstreamTransport } from "./cluster/transport.ts";
import type { HeaderMap } from "./http/exchange.ts";

/**
 * Byte tunnels: splicing two connections together, and opening one through a peer
 * sidecar. Between sidecars a TCP connection travels the way Istio's HBONE carries it:
 * an HTTP CONNECT naming the destination, over the mTLS connection to the peer's
 * inbound port, answered 200 before the first byte of the stream
 * (https://istio.io/latest/docs/ambient/architecture/hbone/). Skein's CONNECT is
 * HTTP/1.1, so the same inbound HTTP server (and its authorization) receives it.
 */

export interface ByteCounters {
  /** Bytes read from the downstream (istio_tcp_received_bytes_total). */
  received(n: number): void;
  /** Bytes written to the downstream (istio_tcp_sent_bytes_total). */
  sent(n: number): void;
}

/**
 * Pipes bytes both ways until both directions are done, keeping half-closes (a FIN
 * from one side ends only that direction, as Envoy's tcp_proxy does) and honouring
 * backpressure. An error or reset on either side closes both. Resolves once both
 * sockets are closed.
 */
export function splice(downstream: Duplex, upstream: Duplex, counters: ByteCounters): Promise<void> {
  if (downstream.destroyed || upstream.destroyed) {
    downstream.destroy();
    upstream.destroy();
    return Promise.resolve();
  }
  halfOpen(downstream);
  halfOpen(upstream);
  return new Promise((resolve) => {
    let closed = 0;
    const onClose = (self: Duplex, other: Duplex) => (hadError: boolean) => {
      // A reset (or a close before its FIN) cuts the other side too; a clean close has
      // already ended the other side's write half, which then flushes and closes itself.
      if (hadError || !self.readableEnded) other.destroy();
      if (++closed === 2) resolve();
    };
    downstream.on("error", () => undefined);
    upstream.on("error", () => undefined);
    downstream.once("close", onClose(downstream, upstream));
    upstream.once("close", onClose(upstream, downstream));
    oneWay(downstream, upstream, (n) => counters.received(n));
    oneWay(upstream, downstream, (n) => counters.sent(n));
  });
}

function oneWay(from: Duplex, to: Duplex, count: (n: number) => void): void {
  const resume = () => from.resume();
  from.on("data", (chunk: Buffer) => {
    count(chunk.length);
    if (!to.write(chunk)) {
      from.pause();
      to.once("drain", resume);
    }
  });
  from.once("end", () => to.end());
  // A socket handed over by the HTTP server, or paused after reading a head, stays paused otherwise.
  from.resume();
}

/** Sockets end only the direction the peer closed; the default would also close ours. */
function halfOpen(s: Duplex): void {
  (s as Socket).allowHalfOpen = true;
}

/** Writes an HTTP/1.1 response head on a raw connection (CONNECT and Upgrade answers). */
export function writeResponseHead(socket: Duplex, status: number, headers: HeaderMap = {}): void {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Unknown"}\r\n`;
  for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) head += `${k}: ${one}\r\n`;
  socket.write(`${head}\r\n`, "latin1");
}

/** Answers on a raw connection and closes it (refused CONNECT or Upgrade). */
export function refuse(socket: Duplex, status: number, body = ""): void {
  const buf = Buffer.from(body);
  writeResponseHead(socket, status, { "content-type": "text/plain", "content-length": String(buf.length), connection: "close" });
  socket.end(buf);
}

export interface ResponseHead {
  status: number;
  headers: HeaderMap;
  /** Bytes after the head: the first bytes of the tunnelled stream. */
  rest: Buffer;
}

const MAX_HEAD = 16 * 1024;

/** Reads an HTTP/1.1 response head from a raw connection (the peer's answer to CONNECT). */
export function readResponseHead(socket: Duplex): Promise<ResponseHead> {
  return new Promise((resolve, reject) => {
    let seen: Buffer = Buffer.alloc(0);
    const cleanup = () => {
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const end = seen.indexOf("\r\n\r\n");
      if (end < 0) {
        if (seen.length > MAX_HEAD) {
          cleanup();
          reject(new Error("CONNECT response head too large"));
        }
        return;
      }
      cleanup();
      socket.pause();
      const head = parseResponseHead(seen.subarray(0, end).toString("latin1"));
      if (!head) return reject(new Error("malformed CONNECT response"));
      resolve({ ...head, rest: seen.subarray(end + 4) });
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => {
      cleanup();
      reject(new Error("connection closed before the CONNECT response"));
    };
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("close", onClose);
  });
}

export function parseResponseHead(text: string): { status: number; headers: HeaderMap } | undefined {
  const lines = text.split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (!m) return undefined;
  const headers: HeaderMap = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(m[1]), headers };
}

export interface UpstreamConnect {
  host: string;
  port: number;
  /** Present: TLS (mTLS towards a sidecar, or TLS origination); absent: plaintext. */
  tls?: ConnectionOptions;
  connectTimeoutMs: number;
}

/** Connecting failed: refused, timed out, or the TLS handshake / peer identity check failed. */
export class ConnectFailure extends Error {
  constructor(cause: unknown) {
    super(`connect failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/**
 * How to open a raw connection to a cluster's host, with the transport's security (mTLS
 * towards sidecars). Such connections carry HTTP/1.1 (a CONNECT or an upgrade) first,
 * which is what ALPN asks the peer for.
 */
export function upstreamConnect(transport: UpstreamTransport, cluster: Cluster, endpoint: Endpoint): { security: TransportSecurity; connect: UpstreamConnect } {
  const security = transport.securityOf(cluster, endpoint);
  const connect: UpstreamConnect = { host: endpoint.address, port: endpoint.port, connectTimeoutMs: cluster.connectionPool.connectTimeoutMs };
  if (security !== "plaintext") connect.tls = { ...transport.tlsOptions(cluster, security), ALPNProtocols: ["http/1.1"] };
  return { security, connect };
}

/**
 * Opens a TCP (or TLS) connection; resolves once it is usable, or rejects with
 * ConnectFailure on refusal, connect timeout or a failed handshake / identity check
 * (Envoy's UF for all of them), or with the signal's reason.
 */
export function openConnection(c: UpstreamConnect, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const socket: Socket = c.tls
      ? tlsConnect({ host: c.host, port: c.port, ...c.tls })
      : netConnect({ host: c.host, port: c.port, allowHalfOpen: true });
    // Envoy sets TCP_NODELAY upstream: small writes (a CONNECT, a TLS record) go out at once
    // instead of waiting on Nagle for the peer's delayed ACK (~40 ms per round trip here).
    socket.setNoDelay(true);
    const ready = c.tls ? "secureConnect" : "connect";
    socket.setTimeout(c.connectTimeoutMs);
    const onTimeout = () => socket.destroy(new Error(`connect timeout after ${c.connectTimeoutMs} ms`));
    const onAbort = () => socket.destroy(new Error("aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    const onError = (e: Error) => {
      socket.off(ready, onReady);
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? signal.reason : new ConnectFailure(e));
    };
    const onReady = () => {
      socket.setTimeout(0);
      socket.off("timeout", onTimeout);
      socket.off("error", onError);
      signal?.removeEventListener("abort", onAbort);
      // Whoever reads the socket next sees a reset as "close"; an error with no listener would crash.
      socket.on("error", () => undefined);
      resolve(socket);
    };
    socket.once("timeout", onTimeout);
    socket.once("error", onError);
    socket.once(ready, onReady);
  });
}

/**
 * Asks the peer sidecar, over an open mTLS connection, to connect to `authority` and
 * waits for its answer. On 200 the socket is the tunnel; `rest` holds any stream bytes
 * that came with the answer. `headers` carry the caller's metadata (peer-metadata).
 */
export async function connectThroughPeer(socket: Socket, authority: string, headers: HeaderMap): Promise<ResponseHead> {
  let head = `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n`;
  for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) head += `${k}: ${one}\r\n`;
  socket.write(`${head}\r\n`, "latin1");
  return readResponseHead(socket);
}
