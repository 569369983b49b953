import type { Health } from "@skein/shared/browser";

const LABEL = { healthy: "Healthy", degraded: "Degraded", failure: "Failure", idle: "No traffic" } as const;

/** A health badge in Kiali's words, with the error rate it was judged on. */
export function HealthBadge({ health, testId }: { health: Health | undefined; testId?: string }) {
  const status = health?.status ?? "idle";
  const title = health && health.requestRate > 0 ? `${health.errorRate.toFixed(2)}% errors of ${health.requestRate.toFixed(2)} req/s` : "no requests in the window";
  return (
    <span className={`badge ${status === "idle" ? "" : status}`} data-testid={testId} data-health={status} title={title}>
      {LABEL[status]}
      {health && health.requestRate > 0 && health.errorRate > 0 ? ` · ${health.errorRate < 0.1 ? "<0.1" : health.errorRate.toFixed(1)}% err` : ""}
    </span>
  );
}
