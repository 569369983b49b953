"use client";
import { ApiFailure } from "@/client/api";
import styles from "./graph.module.css";

export interface GraphMessageProps {
  kind: "noNamespaces" | "noTraffic" | "error";
  error?: Error;
  duration: string;
  idleEdges: boolean;
  onShowIdle: () => void;
  onLonger: () => void;
  /** The graph has nodes, but the hide expression took them all. */
  hiddenAll: boolean;
}

/** The graph's empty and error states: what happened and what to do about it. */
export function GraphMessage({ kind, error, duration, idleEdges, onShowIdle, onLonger, hiddenAll }: GraphMessageProps) {
  if (kind === "noNamespaces") {
    return (
      <div className={styles.message}>
        <div className={styles.messageCard} data-testid="graph-empty" role="status">
          <h2>No namespaces selected</h2>
          Pick one or more namespaces in the toolbar to draw their traffic.
        </div>
      </div>
    );
  }
  if (kind === "error") {
    const unreachable = error instanceof ApiFailure && (error.code === "PrometheusUnavailable" || error.code === "PrometheusError");
    return (
      <div className={styles.message}>
        <div className={`${styles.messageCard} ${styles.error}`} data-testid="graph-error" role="alert">
          <h2>{unreachable ? "Prometheus is unreachable" : "The graph could not be built"}</h2>
          <p className="error">{error?.message ?? "unknown error"}</p>
          {unreachable && !error?.message.includes("PROMETHEUS_URL") && (
            <p>
              The graph reads Istio&apos;s metrics from Prometheus. Start it, or start the console with <code>PROMETHEUS_URL</code> pointing at yours.
            </p>
          )}
        </div>
      </div>
    );
  }
  return (
    <div className={styles.message}>
      <div className={styles.messageCard} data-testid="graph-empty" role="status">
        {hiddenAll ? (
          <>
            <h2>Everything is hidden</h2>
            The hide expression matches every node. Clear or change it in the toolbar.
          </>
        ) : (
          <>
            <h2>No traffic in the last {duration}</h2>
            <p>No requests were reported for these namespaces in this window.</p>
            <p style={{ display: "flex", gap: 8, marginBottom: 0 }}>
              {!idleEdges && (
                <button type="button" onClick={onShowIdle}>
                  Show idle edges
                </button>
              )}
              <button type="button" onClick={onLonger}>
                Look at the last hour
              </button>
            </p>
          </>
        )}
      </div>
    </div>
  );
}
