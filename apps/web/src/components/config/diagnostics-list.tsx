import type { Diagnostic } from "@skein/shared/browser";
import { diagnosticText } from "../editor/diagnostic-range";
import styles from "./config.module.css";

/**
 * The validator's findings, one per line, as "line N: message (field)" (the severity is
 * drawn by CSS from data-severity, so the text stays exactly that); a click jumps the
 * editor there.
 */
export function DiagnosticsList({ diagnostics, pending, onSelect, testId = "diagnostics" }: { diagnostics: readonly Diagnostic[]; pending?: boolean; onSelect?: (d: Diagnostic) => void; testId?: string }) {
  return (
    <div className={styles.diagnostics} data-testid={testId} aria-live="polite">
      {diagnostics.length === 0 ? (
        <p className={styles.noDiagnostics}>{pending ? "Validating…" : "No problems found."}</p>
      ) : (
        <ul>
          {diagnostics.map((d, i) => (
            <li key={`${d.line}:${d.column}:${d.code}:${i}`} data-testid="diagnostic" data-line={d.line} data-severity={d.severity} className={styles[d.severity]}>
              <button type="button" className="link-button" data-severity={d.severity} onClick={() => onSelect?.(d)} title={`${d.code}${d.file.startsWith("store:") ? ` in ${d.file.slice(6)}` : ""}`}>
                {diagnosticText(d)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
