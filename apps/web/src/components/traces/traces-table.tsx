import Link from "next/link";
import { GridTable } from "@/components/ui/grid-table";
import { formatDurationUs, type TraceSummary } from "./trace-model";
import styles from "./traces.module.css";

export function TracesTable({ traces, loading }: { traces: readonly TraceSummary[]; loading: boolean }) {
  return (
    <GridTable
      columns={["Start time", "Root service", "Root operation", "Duration", "Spans", "Errors", "Trace"]}
      empty={traces.length === 0 && (loading ? "Searching…" : "No traces. Widen the time window, lower the minimum duration, or pick another service.")}
      testId="traces-table"
    >
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
    </GridTable>
  );
}
