"use client";
/**
 * A small time-series chart in plain SVG: axes, a legend with each series' latest value,
 * and a hover line that reads every series at the nearest sample. Props are a stable
 * contract other pages import:
 *
 *   <LineChart title="Request rate" unit="req/s" series={[{ name, points: [[unixSeconds, value], ...], color? }]} height={160} testId="chart-rate" />
 */
import { useId, useLayoutEffect, useMemo, useRef, useState, type PointerEvent } from "react";
import { extents, formatTime, formatValue, linePath, nearestIndex, sampleInterval, timeTicks, yAxis, type Point } from "./chart-scale";
import styles from "./line-chart.module.css";

export interface LineChartSeries {
  name: string;
  /** [unix seconds, value], sorted by time. */
  points: readonly Point[];
  color?: string;
}

export interface LineChartProps {
  title: string;
  unit: string;
  series: readonly LineChartSeries[];
  height?: number;
  testId?: string;
}

const PALETTE = ["#2563eb", "#e8710a", "#12a4b0", "#9333ea", "#c9190b", "#3e8635"];
const MARGIN = { top: 8, right: 12, bottom: 22, left: 48 };

export function LineChart({ title, unit, series, height = 160, testId }: LineChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const clipId = useId();
  const [width, setWidth] = useState(360);
  const [hoverX, setHoverX] = useState<number | undefined>(undefined);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(160, Math.floor(el.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const colored = useMemo(() => series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length]! })), [series]);
  const ext = useMemo(() => extents(colored.map((s) => s.points)), [colored]);
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;

  const layout = useMemo(() => {
    if (!ext) return undefined;
    const y = yAxis(ext.y);
    const xSpan = ext.x.max - ext.x.min || 1;
    const sx = (t: number) => MARGIN.left + ((t - ext.x.min) / xSpan) * plotW;
    const sy = (v: number) => MARGIN.top + plotH - ((v - y.min) / (y.max - y.min)) * plotH;
    const paths = colored.map((s) => {
      const step = sampleInterval(s.points);
      return linePath(s.points, sx, sy, step > 0 ? step * 1.5 : Infinity);
    });
    return { y, sx, sy, xSpan, xTicks: timeTicks(ext.x), paths };
  }, [ext, colored, plotW, plotH]);

  const hover = useMemo(() => {
    if (hoverX === undefined || !layout || !ext) return undefined;
    const t = ext.x.min + ((hoverX - MARGIN.left) / plotW) * layout.xSpan;
    const reference = colored.find((s) => s.points.length > 0);
    if (!reference) return undefined;
    const at = reference.points[nearestIndex(reference.points, t)]![0];
    const values = colored.map((s) => {
      const i = nearestIndex(s.points, at);
      const p = i >= 0 ? s.points[i] : undefined;
      return { name: s.name, color: s.color, value: p && p[0] === at ? p[1] : undefined };
    });
    return { at, x: layout.sx(at), values };
  }, [hoverX, layout, ext, colored, plotW]);

  function onMove(e: PointerEvent<SVGSVGElement>) {
    const rect = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - rect.left;
    setHoverX(x >= MARGIN.left && x <= width - MARGIN.right ? x : undefined);
  }

  const latest = colored.map((s) => {
    for (let i = s.points.length - 1; i >= 0; i--) if (Number.isFinite(s.points[i]![1])) return s.points[i]![1];
    return undefined;
  });

  return (
    <figure className={styles.chart} data-testid={testId} aria-label={title}>
      <figcaption className={styles.title}>
        {title} <span className={styles.unit}>({unit})</span>
      </figcaption>
      <div ref={box} className={styles.plot} style={{ height }}>
        {!layout ? (
          <div className={styles.empty} style={{ height }}>
            No data in this window
          </div>
        ) : (
          <svg width={width} height={height} role="img" aria-label={`${title} over time`} onPointerMove={onMove} onPointerLeave={() => setHoverX(undefined)}>
            <defs>
              <clipPath id={clipId}>
                <rect x={MARGIN.left} y={MARGIN.top - 2} width={plotW} height={plotH + 4} />
              </clipPath>
            </defs>
            {layout.y.ticks.map((v) => (
              <g key={v}>
                <line className={styles.grid} x1={MARGIN.left} x2={width - MARGIN.right} y1={layout.sy(v)} y2={layout.sy(v)} />
                <text className={styles.tick} x={MARGIN.left - 6} y={layout.sy(v)} textAnchor="end" dominantBaseline="middle">
                  {formatValue(v, unit === "%" ? "%" : "")}
                </text>
              </g>
            ))}
            {layout.xTicks.map((t) => (
              <text key={t} className={styles.tick} x={layout.sx(t)} y={height - 6} textAnchor="middle">
                {formatTime(t, layout.xSpan)}
              </text>
            ))}
            <line className={styles.axis} x1={MARGIN.left} x2={width - MARGIN.right} y1={MARGIN.top + plotH} y2={MARGIN.top + plotH} />
            <g clipPath={`url(#${clipId})`}>
              {colored.map((s, i) => (
                <path key={s.name} d={layout.paths[i]} fill="none" stroke={s.color} strokeWidth={1.6} strokeLinejoin="round" />
              ))}
            </g>
            {hover && (
              <g pointerEvents="none">
                <line className={styles.cursor} x1={hover.x} x2={hover.x} y1={MARGIN.top} y2={MARGIN.top + plotH} />
                {hover.values.map((v) =>
                  v.value === undefined || !Number.isFinite(v.value) ? null : <circle key={v.name} cx={hover.x} cy={layout.sy(v.value)} r={3} fill={v.color} />,
                )}
              </g>
            )}
          </svg>
        )}
        {hover && (
          <div className={styles.tooltip} style={hover.x > width / 2 ? { right: width - hover.x + 8 } : { left: hover.x + 8 }} role="status">
            <div className={styles.tooltipTime}>{formatTime(hover.at, 1)}</div>
            {hover.values.map((v) => (
              <div key={v.name} className={styles.tooltipRow}>
                <span className={styles.swatch} style={{ background: v.color }} />
                {v.name}: <b>{v.value === undefined ? "–" : formatValue(v.value, unit)}</b>
              </div>
            ))}
          </div>
        )}
      </div>
      <ul className={styles.legend}>
        {colored.map((s, i) => (
          <li key={s.name}>
            <span className={styles.swatch} style={{ background: s.color }} />
            {s.name}
            {latest[i] !== undefined && <span className={styles.latest}>{formatValue(latest[i]!, unit)}</span>}
          </li>
        ))}
      </ul>
    </figure>
  );
}
