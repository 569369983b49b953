/**
 * Trace context in and out of the sidecar, and the span it reports. Accepts W3C Trace
 * Context (`traceparent`/`tracestate`) and Zipkin B3 (single `b3` header and the
 * X-B3-* headers), as Istio does; sends W3C and B3 multi-headers to the next hop, since
 * apps written for Istio (bookinfo among them) forward only the X-B3-* headers.
 */
import { randomFillSync } from "node:crypto";
import type { HeaderMap } from "./request-id.ts";

/** One span's place in a trace. Ids are lower-case hex: 32 for the trace, 16 for spans. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  sampled: boolean;
  /** B3 debug (`X-B3-Flags: 1`, `b3: ...-d`): sample and tell the next hop so. */
  debug?: boolean;
  /** W3C tracestate, passed through untouched. */
  traceState?: string;
}

/**
 * What a request arrived with: the caller's span, a sampling decision, or both. B3 allows a
 * decision without ids (`b3: 0`) and ids without a decision (no X-B3-Sampled).
 */
export interface IncomingTrace {
  traceId?: string;
  spanId?: string;
  sampled?: boolean;
  debug?: boolean;
  traceState?: string;
}

const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);
const HEX = /^[0-9a-f]+$/;

function isId(s: string, length: number, zero: string): boolean {
  return s.length === length && HEX.test(s) && s !== zero;
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
}

/**
 * W3C `traceparent`. Version 00 must be exactly 55 characters; later versions may append
 * fields after a dash, and "ff" is forbidden. Upper-case hex and all-zero ids are invalid.
 */
export function parseTraceparent(value: string | undefined): IncomingTrace | undefined {
  if (value === undefined || value.length < 55) return undefined;
  const version = value.slice(0, 2);
  if (!HEX.test(version) || version === "ff") return undefined;
  if (version === "00" ? value.length !== 55 : value.length > 55 && value[55] !== "-") return undefined;
  if (value[2] !== "-" || value[35] !== "-" || value[52] !== "-") return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!isId(traceId, 32, ZERO_TRACE) || !isId(spanId, 16, ZERO_SPAN) || !HEX.test(flags)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/** A B3 trace id: 128-bit, or 64-bit left-padded to 128 bits. */
function b3TraceId(v: string): string | undefined {
  const id = v.length === 16 ? ZERO_SPAN + v : v;
  return isId(id, 32, ZERO_TRACE) ? id : undefined;
}

function b3Sampling(v: string): Pick<IncomingTrace, "sampled" | "debug"> | undefined {
  if (v === "1" || v === "true") return { sampled: true };
  if (v === "0" || v === "false") return { sampled: false };
  if (v === "d") return { sampled: true, debug: true };
  return undefined;
}

/** Single-header B3: `{traceId}-{spanId}[-{sampling}[-{parentSpanId}]]`, or a sampling state alone. */
export function parseB3Single(value: string | undefined): IncomingTrace | undefined {
  if (!value) return undefined;
  const parts = value.split("-");
  if (parts.length === 1) return b3Sampling(parts[0]!);
  if (parts.length > 4) return undefined;
  const traceId = b3TraceId(parts[0]!);
  const spanId = parts[1]!;
  if (!traceId || !isId(spanId, 16, ZERO_SPAN)) return undefined;
  const sampling = parts[2] === undefined ? {} : b3Sampling(parts[2]);
  if (!sampling) return undefined;
  if (parts[3] !== undefined && !isId(parts[3], 16, ZERO_SPAN)) return undefined;
  return { traceId, spanId, ...sampling };
}

/** Multi-header B3: X-B3-TraceId, X-B3-SpanId, X-B3-Sampled, X-B3-Flags (debug). */
export function parseB3Multi(headers: HeaderMap): IncomingTrace | undefined {
  const flags = single(headers["x-b3-flags"]);
  const sampledHeader = single(headers["x-b3-sampled"]);
  const sampling = flags === "1" ? { sampled: true, debug: true } : sampledHeader === undefined ? {} : b3Sampling(sampledHeader);
  const rawTrace = single(headers["x-b3-traceid"]);
  const rawSpan = single(headers["x-b3-spanid"]);
  if (rawTrace === undefined && rawSpan === undefined) return sampling && sampling.sampled !== undefined ? sampling : undefined;
  const traceId = rawTrace === undefined ? undefined : b3TraceId(rawTrace);
  if (!traceId || rawSpan === undefined || !isId(rawSpan, 16, ZERO_SPAN) || !sampling) return undefined;
  return { traceId, spanId: rawSpan, ...sampling };
}

/** The first valid of: traceparent (with its tracestate), b3, X-B3-*. */
export function extractTraceContext(headers: HeaderMap): IncomingTrace | undefined {
  const w3c = parseTraceparent(single(headers.traceparent));
  if (w3c) {
    const state = headers.tracestate;
    const traceState = Array.isArray(state) ? state.join(",") : state;
    return traceState ? { ...w3c, traceState } : w3c;
  }
  return parseB3Single(single(headers.b3)) ?? parseB3Multi(headers);
}

export type RandomFill = (bytes: Uint8Array) => void;

/**
 * Trace and span ids from a random source (crypto by default, injected in tests). Bytes
 * come from a pooled buffer so an id costs no system call.
 */
export class IdGenerator {
  private readonly pool = Buffer.alloc(4096);
  private offset = this.pool.length;

  constructor(private readonly fill: RandomFill = randomFillSync) {}

  traceId(): string {
    return this.hex(16, ZERO_TRACE);
  }

  spanId(): string {
    return this.hex(8, ZERO_SPAN);
  }

  private hex(bytes: number, zero: string): string {
    for (;;) {
      if (this.offset + bytes > this.pool.length) {
        this.fill(this.pool);
        this.offset = 0;
      }
      const id = this.pool.toString("hex", this.offset, this.offset + bytes);
      this.offset += bytes;
      if (id !== zero) return id;
    }
  }
}

/**
 * This proxy's span: a child of the caller's span when there is one (same trace, the
 * caller's span as parent, its sampling decision kept), else the root of a new trace
 * sampled per `sampleNew` (unless the caller sent a decision alone).
 */
export function childContext(incoming: IncomingTrace | undefined, ids: IdGenerator, sampleNew: boolean): TraceContext {
  const sampled = incoming?.sampled ?? sampleNew;
  const ctx: TraceContext =
    incoming?.traceId && incoming.spanId
      ? { traceId: incoming.traceId, spanId: ids.spanId(), parentSpanId: incoming.spanId, sampled }
      : { traceId: ids.traceId(), spanId: ids.spanId(), sampled };
  if (incoming?.debug) ctx.debug = true;
  if (incoming?.traceState) ctx.traceState = incoming.traceState;
  return ctx;
}

/**
 * Writes `ctx` into the headers for the next hop: traceparent (+ tracestate) and the
 * X-B3-* headers, and rewrites a `b3` single header if the request carried one, so no
 * stale span id travels on.
 */
export function injectTraceHeaders(ctx: TraceContext, headers: HeaderMap): void {
  const sampledFlag = ctx.sampled ? "1" : "0";
  headers.traceparent = `00-${ctx.traceId}-${ctx.spanId}-0${sampledFlag}`;
  if (ctx.traceState) headers.tracestate = ctx.traceState;
  else delete headers.tracestate;
  headers["x-b3-traceid"] = ctx.traceId;
  headers["x-b3-spanid"] = ctx.spanId;
  if (ctx.parentSpanId) headers["x-b3-parentspanid"] = ctx.parentSpanId;
  else delete headers["x-b3-parentspanid"];
  if (ctx.debug) {
    // B3: debug implies sampled, and X-B3-Sampled is not sent with it.
    headers["x-b3-flags"] = "1";
    delete headers["x-b3-sampled"];
  } else {
    headers["x-b3-sampled"] = sampledFlag;
    delete headers["x-b3-flags"];
  }
  if (headers.b3 !== undefined) {
    const state = ctx.debug ? "d" : sampledFlag;
    headers.b3 = `${ctx.traceId}-${ctx.spanId}-${state}${ctx.parentSpanId ? `-${ctx.parentSpanId}` : ""}`;
  }
}

// ---- spans ----------------------------------------------------------------------

export type SpanKind = "SERVER" | "CLIENT";
export type AttributeValue = string | number | boolean;

/** A finished span, as the OTLP exporter sends it. Times are unix nanoseconds in decimal strings. */
export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, AttributeValue>;
  status: { code: "UNSET" | "ERROR"; message?: string };
}

/** Who reports the span; built once per proxy. */
export interface SpanNode {
  /** Envoy node id, e.g. `sidecar~10.0.0.5~productpage-v1.bookinfo~bookinfo.svc.cluster.local`. */
  id: string;
  namespace: string;
  canonicalService: string;
  canonicalRevision: string;
  meshId?: string;
}

export interface SpanInput {
  context: TraceContext;
  /** SERVER for the inbound sidecar, CLIENT for the outbound one, as in Istio. */
  kind: SpanKind;
  name: string;
  /** Unix milliseconds; fractions are kept. */
  startMs: number;
  endMs: number;
  method: string;
  /** Full URL as Envoy tags it: `http://reviews:9080/reviews/0`. */
  url: string;
  protocol: string;
  /** 0 when no response was sent. */
  statusCode: number;
  responseFlags: string;
  upstreamCluster?: string;
  requestId?: string;
  userAgent?: string;
  requestBytes?: number;
  responseBytes?: number;
  peerAddress?: string;
  node: SpanNode;
}

/** Istio's operation name for a sidecar span: `<service host>:<port>/*`. */
export function istioSpanName(host: string, port: number): string {
  return `${host}:${port}/*`;
}

/**
 * Unix milliseconds (fractional) to unix nanoseconds as a decimal string. A double holding
 * today's epoch in ms is only exact to ~0.25 µs, so the fraction is kept to the microsecond.
 */
export function unixNanos(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1000)) * 1000n).toString();
}

/** The span with Envoy's tag names and Istio's extra tags. A 5xx, or no response at all, is an error. */
export function buildSpan(s: SpanInput): Span {
  const attributes: Record<string, AttributeValue> = {
    "http.method": s.method,
    "http.url": s.url,
    "http.protocol": s.protocol,
    "http.status_code": s.statusCode,
    response_flags: s.responseFlags || "-",
    node_id: s.node.id,
    component: "proxy",
    "istio.namespace": s.node.namespace,
    "istio.canonical_service": s.node.canonicalService,
    "istio.canonical_revision": s.node.canonicalRevision,
  };
  if (s.node.meshId) attributes["istio.mesh_id"] = s.node.meshId;
  if (s.upstreamCluster) {
    attributes.upstream_cluster = s.upstreamCluster;
    attributes["upstream_cluster.name"] = s.upstreamCluster;
  }
  if (s.requestId) attributes["guid:x-request-id"] = s.requestId;
  if (s.userAgent) attributes.user_agent = s.userAgent;
  if (s.requestBytes !== undefined) attributes.request_size = s.requestBytes;
  if (s.responseBytes !== undefined) attributes.response_size = s.responseBytes;
  if (s.peerAddress) attributes["peer.address"] = s.peerAddress;
  const failed = s.statusCode >= 500 || s.statusCode === 0;
  const span: Span = {
    traceId: s.context.traceId,
    spanId: s.context.spanId,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: unixNanos(s.startMs),
    endTimeUnixNano: unixNanos(s.endMs),
    attributes,
    status: failed ? { code: "ERROR", message: s.statusCode === 0 ? s.responseFlags || "no response" : `HTTP ${s.statusCode}` } : { code: "UNSET" },
  };
  if (s.context.parentSpanId) span.parentSpanId = s.context.parentSpanId;
  return span;
}
