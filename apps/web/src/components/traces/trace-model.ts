/**
 * Jaeger traces (the control plane's /api/traces answers in Jaeger's JSON model) as the
 * traces pages show them: one summary row per trace, and a waterfall of spans nested by
 * parent. Pure, so the pages stay thin.
 */
import type { JaegerSpan, JaegerTrace } from "@skein/shared/browser";

export type TagValue = string | number | boolean;

export interface TraceSummary {
  traceId: string;
  /** Unix microseconds. */
  startUs: number;
  durationUs: number;
  spanCount: number;
  errorCount: number;
  rootService: string;
  rootOperation: string;
  services: string[];
}

export interface WaterfallRow {
  span: JaegerSpan;
  service: string;
  depth: number;
  /** From the trace's start, µs. */
  offsetUs: number;
  durationUs: number;
  error: boolean;
  tags: Record<string, TagValue>;
  kind: "client" | "server" | "internal";
}

export function tagsOf(span: Pick<JaegerSpan, "tags">): Record<string, TagValue> {
  const out: Record<string, TagValue> = {};
  for (const t of span.tags) out[t.key] = t.value;
  return out;
}

/** A failed span: Jaeger's `error` tag (set for an OTLP ERROR status), or a 5xx. */
export function isErrorSpan(span: Pick<JaegerSpan, "tags">): boolean {
  const tags = tagsOf(span);
  if (tags.error === true || tags.error === "true" || tags["otel.status_code"] === "ERROR") return true;
  const status = Number(tags["http.status_code"]);
  return Number.isFinite(status) && status >= 500;
}

function kindOf(tags: Record<string, TagValue>): WaterfallRow["kind"] {
  const k = String(tags["span.kind"] ?? "").toLowerCase();
  return k === "client" || k === "server" ? k : "internal";
}

const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === "CHILD_OF")?.spanID;

function serviceOf(trace: JaegerTrace, span: JaegerSpan): string {
  return trace.processes[span.processID]?.serviceName ?? "unknown";
}

/** The spans whose parent is not in the trace (usually one), earliest first. */
function roots(trace: JaegerTrace): JaegerSpan[] {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  return trace.spans.filter((s) => !parentOf(s) || !ids.has(parentOf(s)!)).sort((a, b) => a.startTime - b.startTime);
}

export function summarizeTrace(trace: JaegerTrace): TraceSummary {
  let start = Infinity;
  let end = -Infinity;
  let errors = 0;
  const services = new Set<string>();
  for (const s of trace.spans) {
    start = Math.min(start, s.startTime);
    end = Math.max(end, s.startTime + s.duration);
    if (isErrorSpan(s)) errors++;
    services.add(serviceOf(trace, s));
  }
  const root = roots(trace)[0];
  return {
    traceId: trace.traceID,
    startUs: Number.isFinite(start) ? start : 0,
    durationUs: Number.isFinite(end) ? end - start : 0,
    spanCount: trace.spans.length,
    errorCount: errors,
    rootService: root ? serviceOf(trace, root) : "unknown",
    rootOperation: root?.operationName ?? "",
    services: [...services].sort(),
  };
}

/**
 * The spans in display order: each root, then its children depth first, siblings by start
 * time, as Jaeger's and Kiali's waterfalls draw them.
 */
export function waterfall(trace: JaegerTrace): WaterfallRow[] {
  const start = trace.spans.reduce((m, s) => Math.min(m, s.startTime), Infinity);
  const children = new Map<string, JaegerSpan[]>();
  for (const s of trace.spans) {
    const p = parentOf(s);
    if (p === undefined) continue;
    const list = children.get(p);
    if (list) list.push(s);
    else children.set(p, [s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.startTime - b.startTime || a.spanID.localeCompare(b.spanID));
  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const visit = (s: JaegerSpan, depth: number) => {
    // A reference cycle in bad data must not hang the page.
    if (seen.has(s.spanID)) return;
    seen.add(s.spanID);
    const tags = tagsOf(s);
    rows.push({ span: s, service: serviceOf(trace, s), depth, offsetUs: s.startTime - start, durationUs: s.duration, error: isErrorSpan(s), tags, kind: kindOf(tags) });
    for (const c of children.get(s.spanID) ?? []) visit(c, depth + 1);
  };
  for (const r of roots(trace)) visit(r, 0);
  return rows;
}

/** Envoy's response flags on the span (`-` means none). */
export function responseFlags(tags: Record<string, TagValue>): string[] {
  const f = String(tags.response_flags ?? "-");
  return f === "-" || f === "" ? [] : f.split(",");
}

const COLORS = ["#2563eb", "#e8710a", "#12a4b0", "#9333ea", "#3e8635", "#b8458d", "#8a6500", "#5f6b7a"];

/** One colour per service, stable within a trace (services sorted by name). */
export function serviceColors(services: readonly string[]): Map<string, string> {
  return new Map([...new Set(services)].sort().map((s, i) => [s, COLORS[i % COLORS.length]!]));
}

/** Microseconds the way people read latency: 850µs, 12.3ms, 1.52s. */
export function formatDurationUs(us: number): string {
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 1_000_000) return `${trim(us / 1000)}ms`;
  return `${trim(us / 1_000_000)}s`;
}

function trim(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, "") : n.toFixed(2).replace(/\.?0+$/, "");
}
