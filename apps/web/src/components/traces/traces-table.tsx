import Link from "next/link";
import { formatDurationUs, type TraceSummary } from "./trace-model";
import styles from "./traces.module.css";

export function TracesTable({ traces, loading }: { traces: readonly TraceSummary[]; loading: boolean }) {
  return (
    <table className="grid" data-testid="traces-table">
      <thead>
        <tr>
          <th>Start time</th>
          <th>Root service</th>
          <th>Root operation</th>
          <th>Duration</th>
          <th>Spans</th>
          <th>Errors</th>
          <th>Trace</th>
        </tr>
      </thead>
      <tbody>
        {traces.map((t) => (
          <tr key={t.traceId} data-testid="trace-row" data-error={t.errorCount > 0 ? "true" : undefined}>
            <td className={styles.nowrap}>{new Date(t.startUs / 1000).toLocaleString()}</td>
            <td>{t.rootService}</td>
            <td className="mono">{t.rootOperation}</td>
            <td>{formatDurationUs(t.durationUs)}</td>
            <td>{t.spanCount}</td>
            <td>{t.errorCount > 0 ? <span className="badge failure">{t.errorCount}</span> : <span className="muted">0</span>}</td>
            <td>
              <Link href={`/traces/${t.traceId}`} className="mono">
                {t.traceId.slice(0, 12)}…
              </Link>
            </td>
          </tr>
        ))}
        {traces.length === 0 && (
          <tr>
            <td colSpan={7} className="muted">
              {loading ? "Searching…" : "No traces. Widen the time window, lower the minimum duration, or pick another service."}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
