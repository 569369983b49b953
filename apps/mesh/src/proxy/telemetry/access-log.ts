/**
 * One JSON line per request, with the field names of Istio's JSON access log
 * (`accessLogEncoding: JSON`, built from Envoy's command operators) plus a few Envoy
 * operators Istio leaves out: attempt count, peer URI SAN, trace id. As in Envoy's JSON
 * format, a value that is not known is `null` and response flags print "-" when none.
 *
 * Writes are buffered and handed to the stream in chunks (Envoy's file logger does the
 * same: a buffer flushed on size or interval). The data path only appends to an array;
 * nothing here throws on it, and a sink that cannot keep up drops and counts lines
 * instead of growing without bound.
 */
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { realTimers, type TimerFactory, type TimerHandle } from "../clock.ts";

export interface AccessLogEntry {
  /** Unix milliseconds of the first downstream byte. */
  startTime: number;
  method: string;
  /** Original path (before any rewrite), as Envoy's X-ENVOY-ORIGINAL-PATH?:PATH. */
  path: string;
  /** "HTTP/1.1", "HTTP/2", ... */
  protocol: string;
  /** 0 when no response was sent. */
  responseCode: number;
  /** Envoy's short string (formatResponseFlags). */
  responseFlags: string;
  responseCodeDetails?: string;
  bytesReceived: number;
  bytesSent: number;
  durationMs: number;
  /** What x-envoy-upstream-service-time carried back. */
  upstreamServiceTimeMs?: number;
  xForwardedFor?: string;
  userAgent?: string;
  requestId?: string;
  authority?: string;
  /** "address:port" of the endpoint that answered. */
  upstreamHost?: string;
  upstreamCluster?: string;
  upstreamTransportFailureReason?: string;
  downstreamRemoteAddress?: string;
  downstreamLocalAddress?: string;
  /** Tries made upstream, first included (x-envoy-attempt-count). */
  attemptCount?: number;
  /** The caller's SPIFFE URI SAN on mTLS. */
  downstreamPeerPrincipal?: string;
  routeName?: string;
  traceId?: string;
}

/** The JSON line for one request, newline included. Key order is fixed, which keeps lines diffable. */
export function formatAccessLogLine(e: AccessLogEntry): string {
  return (
    JSON.stringify({
      start_time: Number.isFinite(e.startTime) ? new Date(e.startTime).toISOString() : null,
      method: e.method,
      path: e.path,
      protocol: e.protocol,
      response_code: e.responseCode,
      response_flags: e.responseFlags || "-",
      response_code_details: e.responseCodeDetails ?? null,
      bytes_received: e.bytesReceived,
      bytes_sent: e.bytesSent,
      duration: Math.floor(e.durationMs),
      // Envoy logs the header's value, a string.
      upstream_service_time: e.upstreamServiceTimeMs === undefined ? null : String(Math.floor(e.upstreamServiceTimeMs)),
      x_forwarded_for: e.xForwardedFor ?? null,
      user_agent: e.userAgent ?? null,
      request_id: e.requestId ?? null,
      authority: e.authority ?? null,
      upstream_host: e.upstreamHost ?? null,
      upstream_cluster: e.upstreamCluster ?? null,
      upstream_transport_failure_reason: e.upstreamTransportFailureReason ?? null,
      downstream_remote_address: e.downstreamRemoteAddress ?? null,
      downstream_local_address: e.downstreamLocalAddress ?? null,
      upstream_request_attempt_count: e.attemptCount ?? null,
      downstream_peer_uri_san: e.downstreamPeerPrincipal ?? null,
      route_name: e.routeName ?? null,
      trace_id: e.traceId ?? null,
    }) + "\n"
  );
}

export interface AccessLogSink {
  write(line: string): void;
  /** Writes what is buffered and releases the target. */
  close(): Promise<void>;
}

export interface SinkOptions {
  /** Hand the buffer to the stream once it holds this many characters. Default 64 KiB, Envoy's buffer. */
  flushBytes?: number;
  /** ... or this long after the first buffered line. Default 1 s. */
  flushIntervalMs?: number;
  /** Drop lines while the stream itself holds more than this many unwritten bytes. Default 8 MiB. */
  maxPendingBytes?: number;
  timers?: TimerFactory;
}

export interface SinkStats {
  written: number;
  dropped: number;
  errors: number;
}

/** Buffers lines and writes them to a stream in chunks. */
export class StreamSink implements AccessLogSink {
  readonly stats: SinkStats = { written: 0, dropped: 0, errors: 0 };
  private buffer: string[] = [];
  private buffered = 0;
  private timer: TimerHandle | undefined;
  private broken = false;
  private closed = false;
  private readonly flushBytes: number;
  private readonly flushIntervalMs: number;
  private readonly maxPendingBytes: number;
  private readonly timers: TimerFactory;
  private readonly onError = () => {
    this.stats.errors++;
    this.broken = true;
  };

  constructor(
    private readonly stream: Writable,
    private readonly ownsStream: boolean,
    options: SinkOptions = {},
  ) {
    this.flushBytes = options.flushBytes ?? 64 * 1024;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxPendingBytes = options.maxPendingBytes ?? 8 * 1024 * 1024;
    this.timers = options.timers ?? realTimers;
    // An unwritable target (EPIPE, EACCES) must not crash the proxy: note it and stop writing.
    stream.on("error", this.onError);
  }

  write(line: string): void {
    if (this.broken || this.closed || this.stream.writableLength > this.maxPendingBytes) {
      this.stats.dropped++;
      return;
    }
    this.buffer.push(line);
    this.buffered += line.length;
    if (this.buffered >= this.flushBytes) this.flush();
    else if (this.timer === undefined) this.timer = this.timers.setTimeout(() => this.flush(), this.flushIntervalMs);
  }

  /** Hands buffered lines to the stream now. */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.length === 1 ? this.buffer[0]! : this.buffer.join("");
    const lines = this.buffer.length;
    this.buffer = [];
    this.buffered = 0;
    if (this.broken) {
      this.stats.dropped += lines;
      return;
    }
    try {
      this.stream.write(chunk);
      this.stats.written += lines;
    } catch {
      this.onError();
      this.stats.dropped += lines;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off("error", this.onError);
        resolve();
      };
      if (this.broken) return done();
      if (this.ownsStream) {
        this.stream.once("error", done);
        this.stream.end(done);
      } else {
        // Never end process.stdout; wait until what we wrote has left the buffer.
        this.stream.write("", done);
      }
    });
  }
}

const offSink: AccessLogSink = { write() {}, close: async () => {} };

/** `--access-log` values: "stdout" (or "-"), "off" (or empty), else a file path. */
export type AccessLogTarget = { type: "stdout" } | { type: "off" } | { type: "file"; path: string };

export function parseAccessLogTarget(flag: string | undefined): AccessLogTarget {
  const v = flag?.trim() ?? "";
  if (v === "" || v === "off") return { type: "off" };
  if (v === "stdout" || v === "-") return { type: "stdout" };
  return { type: "file", path: v };
}

export class AccessLog {
  /** False for `--access-log off`: callers skip building the entry at all. */
  readonly enabled: boolean;

  constructor(readonly sink: AccessLogSink) {
    this.enabled = sink !== offSink;
  }

  /** Logs one request. Never throws: a bad entry or a broken sink only costs the line. */
  log(entry: AccessLogEntry): void {
    try {
      this.sink.write(formatAccessLogLine(entry));
    } catch {
      // Telemetry must not fail a request; StreamSink counts its own failures.
    }
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}

export function openAccessLog(target: AccessLogTarget, options: SinkOptions & { stdout?: Writable } = {}): AccessLog {
  switch (target.type) {
    case "off":
      return new AccessLog(offSink);
    case "stdout":
      return new AccessLog(new StreamSink(options.stdout ?? process.stdout, false, options));
    case "file":
      return new AccessLog(new StreamSink(createWriteStream(target.path, { flags: "a" }), true, options));
  }
}
