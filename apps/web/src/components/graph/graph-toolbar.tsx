"use client";
import { useEffect, useState } from "react";
import { parseFindHide, type FindHideError } from "@skein/shared/browser";
import { EDGE_LABEL_CHOICES, GRAPH_TYPE_CHOICES, REFRESH_CHOICES, WINDOW_CHOICES, type GraphView } from "@/client/graph/url-state";
import styles from "./graph.module.css";

export interface GraphToolbarProps {
  view: GraphView;
  /** Every namespace the toolbar offers (with workloads, plus any the URL names). */
  namespaceOptions: string[];
  /** The namespaces in effect (the URL's, or all by default). */
  namespaces: string[];
  onChange: (patch: Partial<GraphView>) => void;
  onRefresh: () => void;
  refreshing: boolean;
  /** What is drawn and when it was measured; the refresh button's tooltip. */
  status: string;
}

/** A find or hide expression: applied on Enter or when the field loses focus; a parse error shows under it. */
function ExpressionInput({ label, testId, value, onApply, placeholder }: { label: string; testId: string; value: string; onApply: (v: string) => void; placeholder: string }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const parsed = text.trim() ? parseFindHide(text) : undefined;
  const error: FindHideError | undefined = parsed && !parsed.ok ? parsed.error : undefined;
  const errorId = `${testId}-error`;
  const apply = () => {
    if (!error && text.trim() !== value) onApply(text.trim());
  };
  return (
    <label className={styles.expression}>
      {label}
      <input
        type="search"
        data-testid={testId}
        value={text}
        placeholder={placeholder}
        spellCheck={false}
        aria-invalid={error ? "true" : "false"}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value === "" && value !== "") onApply("");
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") apply();
          if (e.key === "Escape") setText(value);
        }}
        onBlur={apply}
      />
      {error && (
        <span id={errorId} className={styles.parseError} role="alert" data-testid={`${testId}-error`}>
          {error.message}
        </span>
      )}
    </label>
  );
}

export function GraphToolbar({ view, namespaceOptions, namespaces, onChange, onRefresh, refreshing, status }: GraphToolbarProps) {
  return (
    <div className={styles.toolbar} role="toolbar" aria-label="Graph options">
      <label>
        Namespaces
        <select
          multiple
          data-testid="namespace-select"
          className={styles.namespaces}
          size={Math.min(3, Math.max(2, namespaceOptions.length))}
          value={namespaces}
          onChange={(e) => onChange({ namespaces: [...e.target.selectedOptions].map((o) => o.value), selected: undefined })}
        >
          {namespaceOptions.map((ns) => (
            <option key={ns} value={ns}>
              {ns}
            </option>
          ))}
        </select>
      </label>
      <label>
        Graph type
        <select data-testid="graph-type" value={view.graphType} onChange={(e) => onChange({ graphType: e.target.value as GraphView["graphType"], selected: undefined })}>
          {GRAPH_TYPE_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Window
        <select data-testid="window-select" value={view.duration} onChange={(e) => onChange({ duration: e.target.value as GraphView["duration"] })}>
          {WINDOW_CHOICES.map((w) => (
            <option key={w} value={w}>
              Last {w}
            </option>
          ))}
        </select>
      </label>
      <label>
        Refresh
        <select data-testid="refresh-select" value={view.refresh} onChange={(e) => onChange({ refresh: e.target.value as GraphView["refresh"] })}>
          {REFRESH_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Edge labels
        <select data-testid="edge-label-select" value={view.edgeLabel} onChange={(e) => onChange({ edgeLabel: e.target.value as GraphView["edgeLabel"] })}>
          {EDGE_LABEL_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <label className={styles.toggle}>
        <input type="checkbox" data-testid="idle-edges" checked={view.idleEdges} onChange={(e) => onChange({ idleEdges: e.target.checked })} />
        Idle edges
      </label>
      <ExpressionInput label="Find" testId="graph-find" value={view.find} placeholder="rt > 500" onApply={(find) => onChange({ find })} />
      <ExpressionInput label="Hide" testId="graph-hide" value={view.hide} placeholder="name = traffic" onApply={(hide) => onChange({ hide })} />
      <span className={styles.spacer} />
      <button type="button" data-testid="graph-refresh-now" onClick={onRefresh} disabled={refreshing} title={status} style={{ marginBottom: 1 }}>
        {refreshing ? "Refreshing…" : "Refresh"}
      </button>
    </div>
  );
}
