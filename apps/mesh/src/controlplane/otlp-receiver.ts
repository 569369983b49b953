/**
 * The OTLP/HTTP trace receiver (`POST /v1/traces`), as the OpenTelemetry Collector's
 * otlphttp receiver answers it: JSON bodies (optionally gzip-compressed), ids in hex, int64
 * as decimal strings, enums as numbers. Spans that cannot be stored (bad ids) are refused
 * one by one and reported in `partialSuccess`; the rest are stored.
 *
 * Protobuf (`application/x-protobuf`) gets 415: decoding it needs a protobuf runtime and
 * the OTLP schema, and no such package is a dependency of this repository. The sidecar's
 * exporter sends JSON.
 */
import { gunzipSync } from "node:zlib";
import { HttpError, MAX_BODY, readBodyBuffer, type RouteDef } from "./http.ts";
import type { SpanDetails, SpanRecord, TagValue, TraceStore } from "./trace-store.ts";

export const OTLP_TRACES_PATH = "/v1/traces";

/** OTLP's SpanKind enum, by number and by its proto name. */
const KINDS = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"] as const;
const STATUS_ERROR = 2;

export interface DecodedTraces {
  spans: SpanRecord[];
  rejected: number;
  /** Why the first rejected span was refused. */
  rejectReason?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const array = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * An ExportTraceServiceRequest in OTLP/JSON to span records. Throws (a 400) only when the
 * body is not such a request at all.
 */
export function decodeOtlpJson(body: unknown): DecodedTraces {
  if (!isObject(body)) throw new HttpError(400, "BadRequest", "OTLP body must be a JSON object (ExportTraceServiceRequest)");
  if (body.resourceSpans !== undefined && !Array.isArray(body.resourceSpans)) throw new HttpError(400, "BadRequest", "resourceSpans must be an array");
  const out: DecodedTraces = { spans: [], rejected: 0 };
  for (const rs of array(body.resourceSpans)) {
    if (!isObject(rs)) continue;
    const resource = attributes(isObject(rs.resource) ? rs.resource.attributes : undefined);
    const service = typeof resource["service.name"] === "string" && resource["service.name"] !== "" ? resource["service.name"] : "unknown_service";
    delete resource["service.name"];
    // instrumentationLibrarySpans: the name before OTLP 0.15, still sent by old exporters.
    for (const ss of [...array(rs.scopeSpans), ...array(rs.instrumentationLibrarySpans)]) {
      if (!isObject(ss)) continue;
      const scopeObj = isObject(ss.scope) ? ss.scope : isObject(ss.instrumentationLibrary) ? ss.instrumentationLibrary : undefined;
      const scope = typeof scopeObj?.name === "string" && scopeObj.name !== "" ? scopeObj.name : undefined;
      for (const raw of array(ss.spans)) {
        const decoded = decodeSpan(raw, service, resource, scope);
        if (typeof decoded === "string") {
          out.rejected++;
          out.rejectReason ??= decoded;
        } else out.spans.push(decoded);
      }
    }
  }
  return out;
}

/** A span record, or why the span is refused. */
function decodeSpan(raw: unknown, service: string, resource: Record<string, TagValue>, scope: string | undefined): SpanRecord | string {
  if (!isObject(raw)) return "a span is not an object";
  const traceId = id(raw.traceId, 16);
  const spanId = id(raw.spanId, 8);
  if (!traceId) return `invalid traceId ${JSON.stringify(raw.traceId)}: want 32 hex digits, not all zero`;
  if (!spanId) return `invalid spanId ${JSON.stringify(raw.spanId)}: want 16 hex digits, not all zero`;
  const start = nanos(raw.startTimeUnixNano);
  const end = nanos(raw.endTimeUnixNano);
  if (start === undefined) return `span ${spanId}: invalid startTimeUnixNano ${JSON.stringify(raw.startTimeUnixNano)}`;
  const attrs = attributes(raw.attributes);
  const status = isObject(raw.status) ? raw.status : {};
  const statusError = status.code === STATUS_ERROR || status.code === "STATUS_CODE_ERROR";
  const details: SpanDetails = { attributes: attrs, resource };
  if (statusError && typeof status.message === "string" && status.message !== "") details.statusMessage = status.message;
  if (scope) details.scope = scope;
  const events = array(raw.events).flatMap((e) => {
    if (!isObject(e)) return [];
    const t = nanos(e.timeUnixNano);
    return [{ timeUs: t === undefined ? Number(start / 1000n) : Number(t / 1000n), name: typeof e.name === "string" ? e.name : "", attributes: attributes(e.attributes) }];
  });
  if (events.length > 0) details.events = events;
  const links = array(raw.links).flatMap((l) => {
    const t = isObject(l) ? id(l.traceId, 16) : undefined;
    const s = isObject(l) ? id(l.spanId, 8) : undefined;
    return t && s ? [{ traceId: t, spanId: s }] : [];
  });
  if (links.length > 0) details.links = links;
  const record: SpanRecord = {
    traceId,
    spanId,
    service,
    operation: typeof raw.name === "string" ? raw.name : "",
    kind: kind(raw.kind),
    startUs: Number(start / 1000n),
    durationUs: end === undefined || end < start ? 0 : Number((end - start) / 1000n),
    // A Jaeger-instrumented span marks failure with the tag error=true instead of a status.
    error: statusError || attrs.error === true,
    details,
  };
  const parent = raw.parentSpanId === undefined || raw.parentSpanId === "" ? undefined : id(raw.parentSpanId, 8);
  if (parent) record.parentSpanId = parent;
  const code = attrs["http.status_code"] ?? attrs["http.response.status_code"];
  const statusCode = typeof code === "string" ? Number(code) : code;
  if (typeof statusCode === "number" && Number.isInteger(statusCode) && statusCode >= 0 && statusCode < 1000) record.statusCode = statusCode;
  return record;
}

/**
 * A trace or span id: OTLP/JSON sends hex; the plain protobuf JSON mapping sends base64,
 * which some exporters still do, so 16- or 8-byte base64 is accepted too. All-zero is
 * invalid in both W3C and OTLP.
 */
export function id(v: unknown, bytes: number): string | undefined {
  if (typeof v !== "string") return undefined;
  let hex: string | undefined;
  if (v.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(v)) hex = v.toLowerCase();
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const buf = Buffer.from(v, "base64");
    if (buf.length === bytes) hex = buf.toString("hex");
  }
  return hex && /[1-9a-f]/.test(hex) ? hex : undefined;
}

/** fixed64 nanoseconds: a decimal string in OTLP/JSON, a number from lenient encoders. */
function nanos(v: unknown): bigint | undefined {
  if (typeof v === "string" && /^\d{1,20}$/.test(v)) return BigInt(v);
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return BigInt(Math.floor(v));
  return undefined;
}

function kind(v: unknown): string {
  if (typeof v === "number") return KINDS[v] ?? "UNSPECIFIED";
  if (typeof v === "string") {
    const name = v.replace(/^SPAN_KIND_/, "");
    return (KINDS as readonly string[]).includes(name) ? name : "UNSPECIFIED";
  }
  return "UNSPECIFIED";
}

function attributes(v: unknown): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  for (const kv of array(v)) {
    if (!isObject(kv) || typeof kv.key !== "string") continue;
    const value = anyValue(kv.value);
    if (value !== undefined) out[kv.key] = typeof value === "object" ? JSON.stringify(value) : value;
  }
  return out;
}

type Plain = TagValue | null | Plain[] | { [k: string]: Plain };

/** An OTLP AnyValue to a plain value; arrays and key-value lists are kept as JSON text by the caller. */
function anyValue(v: unknown): Plain | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.stringValue === "string") return v.stringValue;
  if (typeof v.boolValue === "boolean") return v.boolValue;
  if (v.intValue !== undefined) {
    const n = typeof v.intValue === "string" ? Number(v.intValue) : v.intValue;
    if (typeof n === "number" && Number.isSafeInteger(n)) return n;
    return typeof v.intValue === "string" ? v.intValue : undefined;
  }
  if (v.doubleValue !== undefined) {
    if (typeof v.doubleValue === "number") return v.doubleValue;
    // "NaN", "Infinity": JSON has no number for them.
    return typeof v.doubleValue === "string" ? v.doubleValue : undefined;
  }
  if (isObject(v.arrayValue)) return array(v.arrayValue.values).map((x) => anyValue(x) ?? null);
  if (isObject(v.kvlistValue)) {
    const obj: Record<string, Plain> = {};
    for (const kv of array(v.kvlistValue.values)) if (isObject(kv) && typeof kv.key === "string") obj[kv.key] = anyValue(kv.value) ?? null;
    return obj;
  }
  if (typeof v.bytesValue === "string") return v.bytesValue;
  return undefined;
}

// ---- the route --------------------------------------------------------------------

export interface OtlpReceiverDeps {
  store: Pick<TraceStore, "insert">;
}

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Reads the body, undoing `Content-Encoding: gzip`, bounded after decompression too. */
async function readBody(req: Parameters<RouteDef["handler"]>[0]["req"]): Promise<Buffer> {
  const raw = await readBodyBuffer(req);
  const encoding = (req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return raw;
  if (encoding !== "gzip") throw new HttpError(415, "UnsupportedEncoding", `Content-Encoding ${encoding} is not supported: send gzip or none`);
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_BODY * 4 });
  } catch (e) {
    throw new HttpError(400, "BadRequest", `gzip body could not be decompressed: ${(e as Error).message}`);
  }
}

export function otlpRoutes(deps: OtlpReceiverDeps): RouteDef[] {
  return [
    {
      method: "POST",
      path: OTLP_TRACES_PATH,
      auth: "none",
      async handler({ req }) {
        const type = mediaType(req.headers["content-type"]);
        if (type === "application/x-protobuf" || type === "application/protobuf") {
          throw new HttpError(415, "UnsupportedMediaType", "this receiver takes OTLP/HTTP JSON only: send Content-Type: application/json (protobuf is not supported)");
        }
        if (type !== "application/json") throw new HttpError(415, "UnsupportedMediaType", `Content-Type ${type || "(none)"} is not supported: send OTLP/HTTP JSON as application/json`);
        const text = (await readBody(req)).toString("utf8");
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (e) {
          throw new HttpError(400, "BadJson", `request body is not JSON: ${(e as Error).message}`);
        }
        const decoded = decodeOtlpJson(body);
        try {
          await deps.store.insert(decoded.spans);
        } catch (e) {
          // 503 is one of OTLP's retryable statuses: the exporter sends the batch again.
          throw new HttpError(503, "Unavailable", `spans could not be stored: ${(e as Error).message}`);
        }
        // ExportTraceServiceResponse; int64 is a decimal string in protobuf's JSON mapping.
        return decoded.rejected > 0 ? { partialSuccess: { rejectedSpans: String(decoded.rejected), errorMessage: decoded.rejectReason ?? "" } } : {};
      },
    },
  ];
}
