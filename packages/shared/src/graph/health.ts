/**
 * Request health with Kiali's default tolerances (kiali config AddHealthDefault, DESIGN.md
 * §1) and its ascendingThresholdCheck: a ratio above zero is a failure at or above
 * `failure` percent, else degraded at or above `degraded` percent.
 */
import { errorClass, type ErrorClass } from "./series.ts";
import type { Health, HealthStatus, NodeTraffic } from "./types.ts";

export interface Tolerance {
  degraded: number;
  failure: number;
}

export const DEFAULT_TOLERANCES: Readonly<Record<ErrorClass, Tolerance>> = {
  "5xx": { degraded: 0, failure: 10 },
  "4xx": { degraded: 10, failure: 20 },
  grpc: { degraded: 0, failure: 10 },
  noResponse: { degraded: 0, failure: 10 },
};

const RANK: Record<HealthStatus, number> = { idle: 0, healthy: 1, degraded: 2, failure: 3 };

export function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Kiali's ascendingThresholdCheck on a percentage. */
export function thresholdStatus(percent: number, t: Tolerance): HealthStatus {
  if (percent > 0) {
    if (percent >= t.failure) return "failure";
    if (percent >= t.degraded) return "degraded";
  }
  return "healthy";
}

/**
 * Health of a set of requests given as rates by response key (see responseKey). Each
 * error class is judged against its own tolerance as a share of all the requests, and the
 * worst verdict wins; no requests at all is `idle`.
 */
export function requestHealth(
  responses: Readonly<Record<string, number>>,
  tolerances: Readonly<Record<ErrorClass, Tolerance>> = DEFAULT_TOLERANCES,
): Health {
  let total = 0;
  const errors: Record<ErrorClass, number> = { "5xx": 0, "4xx": 0, grpc: 0, noResponse: 0 };
  for (const [key, rate] of Object.entries(responses)) {
    total += rate;
    const cls = errorClass(key);
    if (cls) errors[cls] += rate;
  }
  if (total <= 0) return { status: "idle", errorRate: 0, requestRate: 0 };
  let status: HealthStatus = "healthy";
  let failed = 0;
  for (const cls of Object.keys(errors) as ErrorClass[]) {
    failed += errors[cls];
    status = worse(status, thresholdStatus((errors[cls] * 100) / total, tolerances[cls]));
  }
  return { status, errorRate: (failed * 100) / total, requestRate: total };
}

/**
 * A node is judged on the requests it receives. One that receives none but sends requests
 * or moves TCP bytes (a traffic generator, a TCP server) is healthy, not idle: its
 * callees' errors are shown on the edges, not held against the caller.
 */
export function nodeHealth(inbound: Readonly<Record<string, number>>, traffic: NodeTraffic): Health {
  const health = requestHealth(inbound);
  if (health.status === "idle" && traffic.out + traffic.tcpIn + traffic.tcpOut > 0) health.status = "healthy";
  return health;
}
