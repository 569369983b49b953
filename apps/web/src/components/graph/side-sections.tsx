"use client";
/** The side panel's three data sections: golden-signal charts, applied config, traces. */
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { ApiFailure } from "@/client/api";
import { metricsQuery, nodeConfigQuery, traceSearchQuery } from "@/client/graph/queries";
import { type Params, type TraceQuery } from "@/client/graph/selection";
import { newestFailing, slowest, summarizeTraces, type TraceSummary } from "@/client/graph/trace-picks";
import { LineChart } from "@/components/charts/line-chart";
import { formatValue } from "@/components/charts/chart-scale";
import styles from "./graph.module.css";

function failureText(e: unknown): string {
  return e instanceof ApiFailure ? e.message : e instanceof Error ? e.message : String(e);
}

export function SideCharts({ params, refreshMs }: { params: Params; refreshMs: number }) {
  const q = useQuery(metricsQuery(params, refreshMs));
  if (q.isError) return <p className="error">Metrics unavailable: {failureText(q.error)}</p>;
  if (!q.data) return <p className={styles.hint}>Loading metrics…</p>;
  const s = q.data.series;
  return (
    <>
      <LineChart testId="chart-rate" title="Request rate" unit="req/s" series={[{ name: "requests", points: s.rate, color: "#2563eb" }]} height={120} />
      <LineChart testId="chart-errors" title="Errors (5xx)" unit="%" series={[{ name: "5xx share", points: s.errorRate, color: "#c9190b" }]} height={110} />
      <LineChart
        testId="chart-latency"
        title="Response time"
        unit="ms"
        series={[
          { name: "p50", points: s.p50, color: "#12a4b0" },
          { name: "p95", points: s.p95, color: "#e8710a" },
          { name: "p99", points: s.p99, color: "#9333ea" },
        ]}
        height={130}
      />
    </>
  );
}

export function SideConfig({ params }: { params: Params | undefined }) {
  const q = useQuery({ ...nodeConfigQuery(params ?? {}), enabled: params !== undefined });
  return (
    <div data-testid="side-config">
      {!params ? (
        <p className={styles.hint}>No Istio config applies to traffic from outside the mesh.</p>
      ) : q.isError ? (
        <p className="error">Config unavailable: {failureText(q.error)}</p>
      ) : !q.data ? (
        <p className={styles.hint}>Loading config…</p>
      ) : q.data.items.length === 0 ? (
        <p className={styles.hint}>No VirtualService, DestinationRule, PeerAuthentication or AuthorizationPolicy applies here.</p>
      ) : (
        <ul className={styles.list}>
          {q.data.items.map((c) => (
            <li key={`${c.kind}/${c.namespace}/${c.name}`}>
              <span className={`badge ${c.status}`} title={c.messages.map((m) => m.message).join("\n") || "valid"}>
                {c.status}
              </span>
              <Link href={`/config/${c.kind}/${c.namespace}/${c.name}`}>
                {c.kind} {c.namespace}/{c.name}
              </Link>
              <span className={styles.reason}>
                {c.reason}
                {c.messages[0] ? ` — ${c.messages[0].message}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function TraceList({ title, traces, empty }: { title: string; traces: TraceSummary[]; empty: string }) {
  return (
    <>
      <h4 style={{ margin: "6px 0 4px", fontSize: 12.5 }}>{title}</h4>
      {traces.length === 0 ? (
        <p className={styles.hint}>{empty}</p>
      ) : (
        <ul className={styles.list}>
          {traces.map((t) => (
            <li key={t.traceId}>
              <Link href={`/traces/${t.traceId}`} className="mono">
                {t.traceId.slice(0, 12)}…
              </Link>
              <b>{formatValue(t.durationMs, "ms")}</b>
              {t.status !== undefined && <span className={`badge ${t.error ? "failure" : "healthy"}`}>{t.status}</span>}
              <span className={styles.traceMeta}>{new Date(t.startMs).toLocaleTimeString()}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function SideTraces({ query, lookback }: { query: TraceQuery | undefined; lookback: string }) {
  const recent = useQuery({ ...traceSearchQuery(query ?? { service: "", tags: {} }, lookback, 100, false), enabled: query !== undefined });
  const failing = useQuery({ ...traceSearchQuery(query ?? { service: "", tags: {} }, lookback, 20, true), enabled: query !== undefined });
  return (
    <div data-testid="side-traces">
      {!query ? (
        <p className={styles.hint}>No traces: nothing in the mesh reports spans for this element.</p>
      ) : recent.isError ? (
        <p className="error">Traces unavailable: {failureText(recent.error)}</p>
      ) : !recent.data || !failing.data ? (
        <p className={styles.hint}>Loading traces…</p>
      ) : (
        <>
          <TraceList title="Slowest" traces={slowest(summarizeTraces(recent.data, query), 5)} empty={`No ${query.service} spans in this window.`} />
          <TraceList title="Failing" traces={newestFailing(summarizeTraces(failing.data, query), 5)} empty="No failing requests in this window." />
        </>
      )}
    </div>
  );
}
