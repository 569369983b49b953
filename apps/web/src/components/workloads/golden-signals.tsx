"use client";
import { useQuery } from "@tanstack/react-query";
import { metricsQuery } from "@/client/graph/queries";
import type { Params } from "@/client/graph/selection";
import { LineChart } from "@/components/charts/line-chart";
import styles from "./workloads.module.css";

/** Request rate, 5xx share and latency percentiles of one direction of a service or workload, from /api/metrics. */
export function GoldenSignals({ title, params, testId }: { title: string; params: Params; testId: string }) {
  const q = useQuery(metricsQuery(params, 30_000));
  return (
    <section className="panel" data-testid={testId} aria-label={title}>
      <h2>{title}</h2>
      {q.isError && <p className="error">Metrics unavailable: {(q.error as Error).message}</p>}
      {!q.data && !q.isError && <p className="muted">Loading metrics…</p>}
      {q.data && (
        <div className={styles.charts}>
          <LineChart title="Request rate" unit="req/s" series={[{ name: "requests", points: q.data.series.rate, color: "#2563eb" }]} height={140} />
          <LineChart title="Errors (5xx)" unit="%" series={[{ name: "5xx share", points: q.data.series.errorRate, color: "#c9190b" }]} height={140} />
          <LineChart
            title="Response time"
            unit="ms"
            series={[
              { name: "p50", points: q.data.series.p50, color: "#12a4b0" },
              { name: "p95", points: q.data.series.p95, color: "#e8710a" },
              { name: "p99", points: q.data.series.p99, color: "#9333ea" },
            ]}
            height={140}
          />
        </div>
      )}
    </section>
  );
}
