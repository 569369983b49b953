"use client";
import { useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { SCATTER_MARGIN, scatterLayout } from "./scatter-layout";
import { formatDurationUs, type TraceSummary } from "./trace-model";
import styles from "./traces.module.css";

const HEIGHT = 220;

/** Duration over time, one dot per trace (red when a span failed); a dot opens its trace. */
export function TracesScatter({ traces, onOpen }: { traces: readonly TraceSummary[]; onOpen: (traceId: string) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const layout = useMemo(() => scatterLayout(traces, width, HEIGHT), [traces, width]);
  const byId = useMemo(() => new Map(traces.map((t) => [t.traceId, t])), [traces]);

  function open(e: MouseEvent, id: string) {
    // Plain clicks stay in the app; modified clicks open a tab as links do.
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    onOpen(id);
  }

  return (
    <div ref={box} className={styles.scatter} data-testid="traces-scatter">
      <svg width={width} height={HEIGHT} role="img" aria-label={`Trace durations over time, ${traces.length} traces`}>
        <line x1={SCATTER_MARGIN.left} x2={width - SCATTER_MARGIN.right} y1={HEIGHT - SCATTER_MARGIN.bottom} y2={HEIGHT - SCATTER_MARGIN.bottom} className={styles.axis} />
        {layout.yTicks.map((t) => (
          <g key={`y${t.label}`}>
            <line x1={SCATTER_MARGIN.left} x2={width - SCATTER_MARGIN.right} y1={t.y} y2={t.y} className={styles.grid} />
            <text x={SCATTER_MARGIN.left - 6} y={t.y + 4} textAnchor="end" className={styles.tick}>
              {t.label}
            </text>
          </g>
        ))}
        {layout.xTicks.map((t) => (
          <text key={`x${t.x}`} x={t.x} y={HEIGHT - 6} textAnchor="middle" className={styles.tick}>
            {t.label}
          </text>
        ))}
        {layout.dots.map((d) => {
          const t = byId.get(d.traceId)!;
          return (
            <a key={d.traceId} href={`/traces/${d.traceId}`} onClick={(e) => open(e, d.traceId)} data-testid="scatter-dot" data-error={d.error ? "true" : undefined} aria-label={`Trace ${d.traceId.slice(0, 8)}: ${formatDurationUs(t.durationUs)}, ${t.spanCount} spans${d.error ? ", with errors" : ""}`}>
              <circle cx={d.cx} cy={d.cy} r={d.r} className={d.error ? styles.dotError : styles.dot}>
                <title>{`${t.rootService} ${t.rootOperation}\n${formatDurationUs(t.durationUs)} · ${t.spanCount} spans${t.errorCount ? ` · ${t.errorCount} errors` : ""}\n${new Date(t.startUs / 1000).toLocaleTimeString()}`}</title>
              </circle>
            </a>
          );
        })}
      </svg>
      {traces.length === 0 && <p className={styles.empty}>No traces match this search in the time window.</p>}
    </div>
  );
}
