"use client";
import type { CSSProperties } from "react";
import { formatDurationUs, responseFlags, type WaterfallRow } from "./trace-model";
import styles from "./traces.module.css";

const TICKS = [0, 0.25, 0.5, 0.75, 1];

/** Spans nested by parent; each bar starts at the span's offset and is as long as its duration. */
export function TraceWaterfall({ rows, totalUs, colors, selected, onSelect }: { rows: readonly WaterfallRow[]; totalUs: number; colors: Map<string, string>; selected: string | undefined; onSelect: (spanId: string) => void }) {
  const total = totalUs > 0 ? totalUs : 1;
  return (
    <div className={styles.waterfall} data-testid="trace-waterfall" role="list" aria-label="Spans">
      <div className={styles.wfHeader} aria-hidden>
        <div className={styles.wfLabel}>Service · operation</div>
        <div className={styles.wfTimeline}>
          {TICKS.map((t) => (
            <span key={t} className={styles.wfTick} style={{ left: `${t * 100}%` }}>
              {t === 0 ? "0" : formatDurationUs(t * total)}
            </span>
          ))}
        </div>
      </div>
      {rows.map((r) => {
        const flags = responseFlags(r.tags);
        const status = r.tags["http.status_code"];
        const isSelected = r.span.spanID === selected;
        const start = (r.offsetUs / total) * 100;
        const width = (r.durationUs / total) * 100;
        return (
          <div
            key={r.span.spanID}
            role="listitem"
            tabIndex={0}
            aria-selected={isSelected}
            data-testid="span-row"
            data-span-id={r.span.spanID}
            data-error={r.error ? "true" : undefined}
            className={`${styles.wfRow} ${r.error ? styles.wfRowError : ""} ${isSelected ? styles.wfRowSelected : ""}`}
            onClick={() => onSelect(r.span.spanID)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") {
                e.preventDefault();
                onSelect(r.span.spanID);
              }
            }}
          >
            <div className={styles.wfLabel} style={{ paddingLeft: 6 + r.depth * 14 }} title={`${r.service} ${r.span.operationName}`}>
              <span className={styles.chip} style={{ background: colors.get(r.service) }} />
              <strong>{r.service}</strong> <span className={styles.kind}>{r.kind}</span> <span className="mono">{r.span.operationName}</span>
            </div>
            <div className={styles.wfTimeline}>
              {TICKS.slice(1, -1).map((t) => (
                <span key={t} className={styles.wfGridLine} style={{ left: `${t * 100}%` }} />
              ))}
              <span className={styles.wfBar} style={{ left: `${start}%`, width: `max(2px, ${width}%)`, background: r.error ? "var(--failure)" : colors.get(r.service) }} />
              <span className={styles.wfBarText} style={labelPlace(start, width)}>
                {formatDurationUs(r.durationUs)}
                {status !== undefined && ` · ${status}`}
                {flags.length > 0 && ` · ${flags.join(",")}`}
              </span>
            </div>
          </div>
        );
      })}
    </div>
  );
}

/** The label goes right of the bar while there is room, else left of it, else inside it. */
function labelPlace(start: number, width: number): CSSProperties {
  const end = start + width;
  if (end <= 78) return { left: `${end}%`, marginLeft: 6 };
  if (start >= 22) return { right: `${100 - start}%`, marginRight: 6 };
  return { left: `${start}%`, marginLeft: 6, color: "#fff", fontWeight: 600 };
}
