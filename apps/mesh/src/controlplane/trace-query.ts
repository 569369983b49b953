/**
 * Jaeger's query API, the pure half: its search parameters (jaeger-query's
 * `/api/traces?service=&operation=&tags=&minDuration=&...`) to a span filter, and stored
 * spans to Jaeger's JSON model (`model/json` in jaegertracing/jaeger), which the console
 * and Jaeger-aware tools (Grafana's Jaeger data source, the Jaeger UI) read.
 */
import type { JaegerKeyValue, JaegerSpan, JaegerTrace } from "@skein/shared";
import { HttpError } from "./http.ts";
import type { SpanFilter, SpanRecord, TagValue } from "./trace-store.ts";

/** jaeger-query's default and Jaeger UI's largest search limit. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1500;

const UNIT_US: Record<string, number> = { ns: 0.001, us: 1, "µs": 1, "μs": 1, ms: 1000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };

/**
 * A Go duration (time.ParseDuration, which Jaeger uses for minDuration/maxDuration):
 * "100ms", "1.2s", "1m30s", "250us", "0". Returns microseconds; undefined when invalid or
 * negative.
 */
export function parseDurationUs(text: string): number | undefined {
  const s = text.trim();
  if (s === "0") return 0;
  if (s === "" || !/^(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_US[m[2]!]!;
  return total;
}

export interface TraceSearch {
  filter: SpanFilter;
  limit: number;
}

function bad(message: string): HttpError {
  return new HttpError(400, "BadRequest", message);
}

function unixMicros(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === "") return undefined;
  if (!/^\d+$/.test(v)) throw bad(`${name} must be unix microseconds, got ${JSON.stringify(v)}`);
  return Number(v);
}

function duration(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === "") return undefined;
  const us = parseDurationUs(v);
  if (us === undefined) throw bad(`${name} must be a duration like 100ms or 1.2s, got ${JSON.stringify(v)}`);
  return us;
}

/**
 * Tags as Jaeger takes them: `tags` is a JSON object (`{"http.status_code":"503"}`, what
 * the Jaeger UI sends) and each `tag=key:value` adds one.
 */
function tags(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  const json = params.get("tags");
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw bad(`tags must be a JSON object such as {"error":"true"}, got ${JSON.stringify(json)}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw bad("tags must be a JSON object of key to value");
    for (const [k, v] of Object.entries(parsed)) out[k] = String(v);
  }
  for (const t of params.getAll("tag")) {
    const i = t.indexOf(":");
    if (i <= 0) throw bad(`tag must be key:value, got ${JSON.stringify(t)}`);
    out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

function bool(name: string, v: string): boolean {
  if (v === "true") return true;
  if (v === "false") return false;
  throw bad(`${name} must be true or false, got ${JSON.stringify(v)}`);
}

/**
 * The search parameters to a filter. `error=true|false` and the tags `error`,
 * `span.kind` and `http.status_code` become column filters. Without `start`, `lookback`
 * (a duration, e.g. 1h) counts back from `nowUs`.
 */
export function parseTraceSearch(params: URLSearchParams, nowUs: number): TraceSearch {
  const filter: SpanFilter = {};
  const service = params.get("service");
  if (service) filter.service = service;
  const operation = params.get("operation");
  if (operation) filter.operation = operation;
  const min = duration(params, "minDuration");
  const max = duration(params, "maxDuration");
  if (min !== undefined) filter.minDurationUs = min;
  if (max !== undefined) filter.maxDurationUs = max;
  if (min !== undefined && max !== undefined && max < min) throw bad("maxDuration must not be less than minDuration");
  let start = unixMicros(params, "start");
  const end = unixMicros(params, "end");
  const lookback = duration(params, "lookback");
  if (start === undefined && lookback !== undefined) start = (end ?? nowUs) - lookback;
  if (start !== undefined) filter.startUs = start;
  if (end !== undefined) filter.endUs = end;
  const t = tags(params);
  const errorParam = params.get("error");
  if (errorParam !== null && errorParam !== "") filter.error = bool("error", errorParam);
  if (t.error !== undefined) {
    filter.error = bool("tag error", t.error);
    delete t.error;
  }
  if (t["span.kind"] !== undefined) {
    filter.kind = t["span.kind"].toUpperCase();
    delete t["span.kind"];
  }
  const code = t["http.status_code"];
  if (code !== undefined && /^\d{1,3}$/.test(code)) {
    filter.statusCode = Number(code);
    delete t["http.status_code"];
  }
  if (Object.keys(t).length > 0) filter.tags = t;
  const limitText = params.get("limit");
  let limit = DEFAULT_LIMIT;
  if (limitText !== null && limitText !== "") {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw bad(`limit must be a positive integer, got ${JSON.stringify(limitText)}`);
    limit = Math.min(Number(limitText), MAX_LIMIT);
  }
  return { filter, limit };
}

/**
 * A trace id as stored: 32 lower-case hex digits. Jaeger prints 64-bit ids (and ids whose
 * high half is zero) without leading zeros, so shorter ids are left-padded.
 */
export function normalizeTraceId(text: string): string | undefined {
  const s = text.trim().toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(s)) return undefined;
  return s.padStart(32, "0");
}

// ---- Jaeger's JSON model -----------------------------------------------------------

function keyValue(key: string, value: TagValue): JaegerKeyValue {
  if (typeof value === "boolean") return { key, type: "bool", value };
  if (typeof value === "number") return { key, type: Number.isInteger(value) ? "int64" : "float64", value };
  return { key, type: "string", value };
}

function keyValues(attrs: Record<string, TagValue>): JaegerKeyValue[] {
  return Object.entries(attrs).map(([k, v]) => keyValue(k, v));
}

/**
 * Tags as Jaeger's OTLP translator writes them: the attributes, then `span.kind`,
 * `otel.scope.name`, and for a failed span `error=true`, `otel.status_code=ERROR` and the
 * status message.
 */
function spanTags(s: SpanRecord): JaegerKeyValue[] {
  const out = keyValues(s.details.attributes);
  if (s.kind !== "UNSPECIFIED") out.push(keyValue("span.kind", s.kind.toLowerCase()));
  if (s.details.scope) out.push(keyValue("otel.scope.name", s.details.scope));
  if (s.error) {
    if (s.details.attributes.error === undefined) out.push(keyValue("error", true));
    out.push(keyValue("otel.status_code", "ERROR"));
    if (s.details.statusMessage) out.push(keyValue("otel.status_description", s.details.statusMessage));
  }
  return out;
}

/**
 * One trace in Jaeger's JSON model. Each distinct (service, resource attributes) becomes
 * a process p1, p2, … in order of first appearance; the parent becomes a CHILD_OF
 * reference and each link a FOLLOWS_FROM. `error` (Skein's addition) flags a trace with
 * any failed span.
 */
export function toJaegerTrace(traceId: string, spans: readonly SpanRecord[]): JaegerTrace {
  const processes: JaegerTrace["processes"] = {};
  const processIds = new Map<string, string>();
  const sorted = [...spans].sort((a, b) => a.startUs - b.startUs);
  const out: JaegerSpan[] = sorted.map((s) => {
    const processKey = JSON.stringify([s.service, s.details.resource]);
    let processID = processIds.get(processKey);
    if (!processID) {
      processID = `p${processIds.size + 1}`;
      processIds.set(processKey, processID);
      processes[processID] = { serviceName: s.service, tags: keyValues(s.details.resource) };
    }
    const references: JaegerSpan["references"] = [];
    if (s.parentSpanId) references.push({ refType: "CHILD_OF", traceID: s.traceId, spanID: s.parentSpanId });
    for (const l of s.details.links ?? []) references.push({ refType: "FOLLOWS_FROM", traceID: l.traceId, spanID: l.spanId });
    return {
      traceID: s.traceId,
      spanID: s.spanId,
      operationName: s.operation,
      references,
      startTime: s.startUs,
      duration: s.durationUs,
      tags: spanTags(s),
      logs: (s.details.events ?? []).map((e) => ({ timestamp: e.timeUs, fields: [keyValue("event", e.name), ...keyValues(e.attributes)] })),
      processID,
      warnings: null,
      flags: 1,
    };
  });
  return { traceID: traceId, spans: out, processes, warnings: null, error: spans.some((s) => s.error) };
}

/** Spans of several traces to Jaeger traces, in the order of `traceIds`. */
export function toJaegerTraces(traceIds: readonly string[], spans: readonly SpanRecord[]): JaegerTrace[] {
  const byTrace = new Map<string, SpanRecord[]>(traceIds.map((id) => [id, []]));
  for (const s of spans) byTrace.get(s.traceId)?.push(s);
  return traceIds.flatMap((id) => {
    const list = byTrace.get(id)!;
    return list.length > 0 ? [toJaegerTrace(id, list)] : [];
  });
}
