"use client";
import { useQuery } from "@tanstack/react-query";
import type { Revision } from "@skein/shared/browser";
import { historyQuery } from "@/client/config/queries";
import { GridTable } from "@/components/ui/grid-table";
import styles from "./config.module.css";

/** The change set's action, as the store names it in the message (apply, rollback, or the CLI's own text). */
function actionOf(r: Revision): string {
  if (r.message.startsWith("rollback to ")) return "rollback";
  return r.operation;
}

function DiffText({ diff }: { diff: string }) {
  return (
    <pre className={styles.diffText}>
      {diff.split("\n").map((line, i) => (
        <span key={i} className={line.startsWith("+") && !line.startsWith("+++") ? styles.added : line.startsWith("-") && !line.startsWith("---") ? styles.removed : line.startsWith("@@") ? styles.hunk : undefined}>
          {line + "\n"}
        </span>
      ))}
    </pre>
  );
}

interface Props {
  kind: string;
  namespace: string;
  name: string;
  canEdit: boolean;
  busyRevision: number | undefined;
  onRollback: (r: Revision) => void;
}

/** Every revision of one resource, newest first, with who, when, what and the diff; editors can restore any earlier one. */
export function HistoryPanel({ kind, namespace, name, canEdit, busyRevision, onRollback }: Props) {
  const history = useQuery(historyQuery(kind, namespace, name));
  if (history.isPending) return <p className="muted">Loading history…</p>;
  if (history.isError) return <p className="error">Cannot load the history: {history.error.message}</p>;
  return (
    <GridTable columns={["Revision", "When", "Author", "Action", "Change", ""]} className={styles.history} testId="history-list">
      {history.data.map((r, i) => (
        <tr key={r.id} data-testid="history-row" data-revision={r.id}>
          <td className="mono">
            #{r.id} · v{r.resourceVersion}
          </td>
          <td title={r.createdAt}>{new Date(r.createdAt).toLocaleString()}</td>
          <td>{r.author}</td>
          <td>
            <span className="badge">{actionOf(r)}</span>
            {r.message && <div className="muted">{r.message}</div>}
          </td>
          <td>
            <details>
              <summary>diff</summary>
              <DiffText diff={r.diff} />
            </details>
          </td>
          <td>
            <button
              type="button"
              data-testid={`rollback-${r.id}`}
              disabled={!canEdit || i === 0 || busyRevision !== undefined}
              title={!canEdit ? "Only editors can roll back" : i === 0 ? "This is the current revision" : `Restore ${kind} ${namespace}/${name} to how revision #${r.id} left it`}
              onClick={() => onRollback(r)}
            >
              {busyRevision === r.id ? "Rolling back…" : "Roll back to this"}
            </button>
          </td>
        </tr>
      ))}
    </GridTable>
  );
}
