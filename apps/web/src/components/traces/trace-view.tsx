"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { ApiFailure } from "@/client/api";
import { SpanDetails } from "./span-details";
import { formatDurationUs, serviceColors, summarizeTrace, waterfall } from "./trace-model";
import { traceQuery } from "./trace-queries";
import { TraceWaterfall } from "./trace-waterfall";
import styles from "./traces.module.css";

/** One trace: summary, waterfall, and the selected span (`?span=<id>` in the URL). */
export function TraceView({ traceId }: { traceId: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const trace = useQuery(traceQuery(traceId));
  const rows = useMemo(() => (trace.data ? waterfall(trace.data) : []), [trace.data]);
  const summary = useMemo(() => (trace.data ? summarizeTrace(trace.data) : undefined), [trace.data]);
  const colors = useMemo(() => serviceColors(summary?.services ?? []), [summary]);
  // The click shows at once; the URL follows for sharing.
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const selectedId = picked ?? params.get("span") ?? undefined;
  const selected = rows.find((r) => r.span.spanID === selectedId);

  function select(spanId: string) {
    setPicked(spanId);
    const next = new URLSearchParams(params.toString());
    next.set("span", spanId);
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  }

  if (trace.isLoading) return <p className="muted">Loading trace {traceId}…</p>;
  if (trace.isError || !trace.data || !summary) {
    const notFound = trace.error instanceof ApiFailure && trace.error.status === 404;
    return (
      <div className={styles.page}>
        <p>
          <Link href="/traces">← Traces</Link>
        </p>
        <p className="error" role="alert">
          {notFound || !trace.data ? `No trace ${traceId}: it may be older than the control plane keeps spans, or the id is mistyped.` : `Cannot load trace ${traceId}: ${(trace.error as Error).message}`}
        </p>
      </div>
    );
  }
  return (
    <div className={styles.page}>
      <p className={styles.crumbs}>
        <Link href="/traces">← Traces</Link>
      </p>
      <h1>
        {summary.rootService} <span className="mono">{summary.rootOperation}</span>
      </h1>
      <p className={styles.summary}>
        <span>
          Trace <code>{summary.traceId}</code>
        </span>
        <span>Started {new Date(summary.startUs / 1000).toLocaleString()}</span>
        <span>Duration {formatDurationUs(summary.durationUs)}</span>
        <span>{summary.spanCount} spans</span>
        <span className={summary.errorCount > 0 ? "error" : undefined}>
          {summary.errorCount} error{summary.errorCount === 1 ? "" : "s"}
        </span>
        <span className={styles.legend}>
          {[...colors].map(([service, color]) => (
            <span key={service}>
              <span className={styles.chip} style={{ background: color }} /> {service}
            </span>
          ))}
        </span>
      </p>
      <div className={styles.traceLayout}>
        <TraceWaterfall rows={rows} totalUs={summary.durationUs} colors={colors} selected={selected?.span.spanID} onSelect={select} />
        {selected ? (
          <SpanDetails trace={trace.data} row={selected} />
        ) : (
          <aside className={`panel ${styles.details} muted`}>Select a span to see its tags, status and response flags.</aside>
        )}
      </div>
    </div>
  );
}
