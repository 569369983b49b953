"use client";
import { useState } from "react";
import { BADGE_STYLE } from "./graph-overlay";
import { EDGE_COLORS, HEALTH_COLORS } from "./graph-style";
import styles from "./graph.module.css";

const SHAPES = [
  { label: "App", path: <rect x="2" y="2" width="12" height="12" rx="3" /> },
  { label: "Workload", path: <circle cx="8" cy="8" r="6" /> },
  { label: "Service", path: <path d="M8 2 L14 14 L2 14 Z" strokeLinejoin="round" /> },
  { label: "Outside the mesh", path: <path d="M8 1 L15 8 L8 15 L1 8 Z" /> },
];

const LEGEND_NAMES: Record<string, string> = {
  virtualService: "VirtualService",
  circuitBreaker: "circuit breaker",
  faultInjection: "fault injection",
  missingSidecar: "missing sidecar",
};

function Swatch({ color, dashed }: { color: string; dashed?: boolean }) {
  return (
    <svg width="22" height="8" aria-hidden="true">
      <line x1="1" y1="4" x2="21" y2="4" stroke={color} strokeWidth="2.5" strokeDasharray={dashed ? "4 3" : undefined} />
    </svg>
  );
}

function Lock() {
  return (
    <svg width="12" height="13" viewBox="0 0 12 13" aria-hidden="true">
      <path d="M3 6 V4.2 a3 3 0 0 1 6 0 V6" fill="none" stroke="#1d2430" strokeWidth="1.4" />
      <rect x="1.5" y="5.8" width="9" height="6.5" rx="1" fill="#1d2430" />
    </svg>
  );
}

/** What the canvas's shapes, colours and icons mean; folds away to a button. */
export function GraphLegend() {
  const [open, setOpen] = useState(true);
  if (!open) {
    return (
      <button type="button" className={styles.legendToggle} onClick={() => setOpen(true)}>
        Show legend
      </button>
    );
  }
  return (
    <div className={styles.legend} data-testid="graph-legend">
      <div className={styles.legendRow}>
        <span className={styles.legendTitle}>Nodes</span>
        {SHAPES.map((s) => (
          <span key={s.label} className={styles.legendItem}>
            <svg width="16" height="16" viewBox="0 0 16 16" fill="#fff" stroke="#5f6b7a" strokeWidth="1.6" aria-hidden="true">
              {s.path}
            </svg>
            {s.label}
          </span>
        ))}
      </div>
      <div className={styles.legendRow}>
        <span className={styles.legendTitle}>Health</span>
        <span className={styles.legendItem}>
          <Swatch color={HEALTH_COLORS.healthy} /> healthy
        </span>
        <span className={styles.legendItem}>
          <Swatch color={HEALTH_COLORS.degraded} /> degraded
        </span>
        <span className={styles.legendItem}>
          <Swatch color={HEALTH_COLORS.failure} /> failing
        </span>
        <span className={styles.legendItem}>
          <Swatch color={EDGE_COLORS.na} dashed /> no requests
        </span>
        <span className={styles.legendItem}>
          <Swatch color={EDGE_COLORS.tcp} dashed /> TCP
        </span>
      </div>
      <div className={styles.legendRow}>
        <span className={styles.legendTitle}>Icons</span>
        <span className={styles.legendItem}>
          <Lock /> mTLS
        </span>
        {Object.entries(BADGE_STYLE).map(([key, b]) => (
          <span key={key} className={styles.legendItem} title={b.title}>
            <span className={styles.chip} style={{ background: b.color }}>
              {b.text}
            </span>
            {LEGEND_NAMES[key] ?? key}
          </span>
        ))}
      </div>
      <button type="button" className="link-button" onClick={() => setOpen(false)} style={{ marginLeft: "auto", fontSize: 11 }}>
        Hide legend
      </button>
    </div>
  );
}
