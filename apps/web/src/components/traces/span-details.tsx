"use client";
import Link from "next/link";
import type { JaegerTrace } from "@skein/shared/browser";
import { graphLinkForSpan } from "./graph-link";
import { formatDurationUs, responseFlags, type WaterfallRow } from "./trace-model";
import styles from "./traces.module.css";

/** Envoy's response flags, as its access log documents them. */
const FLAG_MEANINGS: Record<string, string> = {
  UH: "no healthy upstream host",
  UF: "upstream connection failure",
  UO: "upstream overflow (circuit breaker)",
  NR: "no route configured",
  URX: "upstream retry limit exceeded",
  NC: "no cluster found",
  DT: "downstream request timeout",
  UT: "upstream request timeout",
  LR: "connection local reset",
  UR: "upstream remote reset",
  UC: "upstream connection termination",
  DI: "delayed by fault injection",
  FI: "aborted by fault injection",
  RL: "rate limited",
  UAEX: "denied by external authorization",
  DC: "downstream connection termination",
  DPE: "downstream protocol error",
  UPE: "upstream protocol error",
  UMSDR: "upstream max stream duration reached",
  OM: "overload manager",
  RLSE: "rate limit service error",
};

export function SpanDetails({ trace, row }: { trace: JaegerTrace; row: WaterfallRow }) {
  const flags = responseFlags(row.tags);
  const link = graphLinkForSpan(trace, row.span.spanID);
  const status = row.tags["http.status_code"];
  return (
    <aside className={`panel ${styles.details}`} data-testid="span-details" aria-label="Span details">
      <h2>
        {row.service} <span className={styles.kind}>{row.kind}</span>
      </h2>
      <p className="mono">{row.span.operationName}</p>
      <dl className={styles.facts}>
        <dt>Duration</dt>
        <dd>{formatDurationUs(row.durationUs)}</dd>
        <dt>Starts at</dt>
        <dd>+{formatDurationUs(row.offsetUs)}</dd>
        <dt>Status code</dt>
        <dd className={row.error ? "error" : undefined}>{status === undefined ? "—" : String(status)}</dd>
        <dt>Span status</dt>
        <dd className={row.error ? "error" : undefined}>{row.error ? `ERROR${row.tags["otel.status_description"] ? `: ${row.tags["otel.status_description"]}` : ""}` : "OK"}</dd>
        <dt>Response flags</dt>
        <dd data-testid="span-response-flags">
          {flags.length === 0 ? (
            <span className="muted">none (-)</span>
          ) : (
            flags.map((f) => (
              <span key={f} className="badge failure" title={FLAG_MEANINGS[f] ?? f}>
                {f}
                {FLAG_MEANINGS[f] ? ` · ${FLAG_MEANINGS[f]}` : ""}
              </span>
            ))
          )}
        </dd>
        <dt>Span id</dt>
        <dd className="mono">{row.span.spanID}</dd>
      </dl>
      {link ? (
        <p>
          <Link href={link.href} data-testid="trace-to-graph">
            Show on graph
          </Link>{" "}
          <span className="muted mono">{link.edgeId}</span>
        </p>
      ) : (
        <p className="muted">This span does not name both ends of a request, so it has no graph edge.</p>
      )}
      <h3>Tags</h3>
      <table className={`grid ${styles.tags}`}>
        <tbody>
          {Object.entries(row.tags).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td className="mono">{String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
