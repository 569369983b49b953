"use client";
import type { ProxyStatus } from "@skein/shared/browser";
import { proxyState, type ProxyState } from "@/server/overview/summarize";
import styles from "./workloads.module.css";

const STATE_TEXT: Record<ProxyState, { label: string; badge: string }> = {
  acked: { label: "ACKed: runs the latest config", badge: "healthy" },
  pending: { label: "waiting for the sidecar's ACK", badge: "degraded" },
  nacked: { label: "NACKed: the sidecar refused the latest config and keeps the last good one", badge: "failure" },
  disconnected: { label: "not connected to the control plane", badge: "failure" },
  unknown: { label: "no sidecar has reported for this workload", badge: "" },
};

/** The sidecar's config state as a badge (the state's name, coloured by how it serves). */
export function ProxyStateBadge({ state, title }: { state: ProxyState; title?: string | undefined }) {
  return (
    <span className={`badge ${STATE_TEXT[state].badge}`} title={title}>
      {state}
    </span>
  );
}

/** The sidecar's config version sent and ACKed, and the last NACK's error, as the control plane tracks them (xDS style). */
export function ProxyPanel({ proxy }: { proxy: ProxyStatus | undefined }) {
  const state = proxyState(proxy);
  const text = STATE_TEXT[state];
  return (
    <section className="panel" data-testid="workload-proxy" data-acked={String(state === "acked")} data-state={state} aria-label="Sidecar config">
      <h2>
        Sidecar config <ProxyStateBadge state={state} />
      </h2>
      <p>{text.label}</p>
      {proxy && (
        <dl className={styles.facts}>
          <dt>Connected</dt>
          <dd>{proxy.connected ? "yes" : "no"}</dd>
          <dt>Version sent</dt>
          <dd className="mono">{proxy.sentVersion ?? "—"}</dd>
          <dt>Version ACKed</dt>
          <dd className="mono">{proxy.ackedVersion ?? "—"}</dd>
          <dt>Last seen</dt>
          <dd>{new Date(proxy.lastSeen).toLocaleString()}</dd>
          <dt>Last NACK</dt>
          <dd>
            {proxy.nack ? (
              <>
                <span className="mono">{proxy.nack.version}</span> at {new Date(proxy.nack.at).toLocaleString()}
                <div className={styles.nack} data-testid="workload-nack">
                  {proxy.nack.error}
                </div>
              </>
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
        </dl>
      )}
    </section>
  );
}
