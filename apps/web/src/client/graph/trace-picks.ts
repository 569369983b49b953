/**
 * The traces a side panel lists: from a Jaeger search, each trace's duration as seen on
 * the selected node (its longest matching span, not the whole trace, so a slow caller
 * upstream does not make every callee look slow), then the slowest, or the newest failing.
 */
import type { JaegerTrace } from "@skein/shared/browser";
import type { TraceQuery } from "./selection.ts";

export interface TraceSummary {
  traceId: string;
  /** Longest matching span, ms. */
  durationMs: number;
  /** Unix ms of that span's start. */
  startMs: number;
  operation: string;
  /** HTTP status of that span, when it has one. */
  status?: number;
  error: boolean;
}

function tagValue(tags: readonly { key: string; value: unknown }[], key: string): unknown {
  return tags.find((t) => t.key === key)?.value;
}

/** One summary per trace with a span matching the query; traces without one are left out. */
export function summarizeTraces(traces: readonly JaegerTrace[], query: TraceQuery): TraceSummary[] {
  const out: TraceSummary[] = [];
  for (const t of traces) {
    let best: JaegerTrace["spans"][number] | undefined;
    for (const s of t.spans) {
      if (t.processes[s.processID]?.serviceName !== query.service) continue;
      if (!Object.entries(query.tags).every(([k, v]) => String(tagValue(s.tags, k)) === v)) continue;
      if (!best || s.duration > best.duration) best = s;
    }
    if (!best) continue;
    const status = tagValue(best.tags, "http.status_code");
    const failed = tagValue(best.tags, "error") === true || tagValue(best.tags, "otel.status_code") === "ERROR" || (typeof status === "number" && status >= 500);
    out.push({
      traceId: t.traceID,
      durationMs: best.duration / 1000,
      startMs: best.startTime / 1000,
      operation: best.operationName,
      ...(typeof status === "number" ? { status } : {}),
      error: failed,
    });
  }
  return out;
}

export function slowest(summaries: readonly TraceSummary[], count: number): TraceSummary[] {
  return [...summaries].sort((a, b) => b.durationMs - a.durationMs || b.startMs - a.startMs).slice(0, count);
}

export function newestFailing(summaries: readonly TraceSummary[], count: number): TraceSummary[] {
  return summaries
    .filter((s) => s.error)
    .sort((a, b) => b.startMs - a.startMs)
    .slice(0, count);
}
