import type { DestinationRuleSpec } from "@skein/shared/browser";
import { destinationRuleToEdit, pruneEmpty, withField, type Body, type ServiceConfig } from "./service-config.ts";

/**
 * The circuit breaking wizard: the DestinationRule's connection pool and outlier
 * detection for the whole service. An empty field (undefined) removes that setting, so
 * Envoy's default applies.
 */
export interface CircuitBreakingForm {
  maxConnections: number | undefined;
  http1MaxPendingRequests: number | undefined;
  maxRequestsPerConnection: number | undefined;
  consecutive5xxErrors: number | undefined;
  interval: string;
  baseEjectionTime: string;
  maxEjectionPercent: number | undefined;
}

type TrafficPolicy = NonNullable<DestinationRuleSpec["trafficPolicy"]>;

export function circuitBreakingStart(cfg: ServiceConfig): CircuitBreakingForm {
  const tp = cfg.destinationRule?.spec.trafficPolicy;
  const od = tp?.outlierDetection;
  if (!cfg.destinationRule || (!tp?.connectionPool && !od)) {
    // Istio's circuit-breaking task's values: a small pool and quick ejection, to see it trip.
    return { maxConnections: 1, http1MaxPendingRequests: 1, maxRequestsPerConnection: 1, consecutive5xxErrors: 1, interval: "1s", baseEjectionTime: "3m", maxEjectionPercent: 100 };
  }
  return {
    maxConnections: tp?.connectionPool?.tcp?.maxConnections,
    http1MaxPendingRequests: tp?.connectionPool?.http?.http1MaxPendingRequests,
    maxRequestsPerConnection: tp?.connectionPool?.http?.maxRequestsPerConnection,
    consecutive5xxErrors: od?.consecutive5xxErrors,
    interval: od?.interval ?? "",
    baseEjectionTime: od?.baseEjectionTime ?? "",
    maxEjectionPercent: od?.maxEjectionPercent,
  };
}

export function circuitBreakingErrors(form: CircuitBreakingForm): string[] {
  const errors: string[] = [];
  const whole = (n: number | undefined, min: number) => n === undefined || (Number.isInteger(n) && n >= min);
  if (!whole(form.maxConnections, 1)) errors.push("Max connections must be a whole number, 1 or more.");
  if (!whole(form.http1MaxPendingRequests, 1)) errors.push("Max pending requests must be a whole number, 1 or more.");
  if (!whole(form.maxRequestsPerConnection, 0)) errors.push("Max requests per connection must be a whole number, 0 or more (0: unlimited).");
  if (!whole(form.consecutive5xxErrors, 0)) errors.push("Consecutive 5xx errors must be a whole number, 0 or more (0: off).");
  if (form.maxEjectionPercent !== undefined && !(Number.isInteger(form.maxEjectionPercent) && form.maxEjectionPercent >= 0 && form.maxEjectionPercent <= 100)) {
    errors.push("Max ejection percent must be a whole number from 0 to 100.");
  }
  return errors;
}

/** The DestinationRule with the settings merged into its traffic policy; its load balancer, TLS and subsets stay. */
export function circuitBreakingResources(cfg: ServiceConfig, form: CircuitBreakingForm): Body<unknown>[] {
  const dr = destinationRuleToEdit(cfg);
  const tp: TrafficPolicy = dr.spec.trafficPolicy ?? {};
  const pool = tp.connectionPool ?? {};
  const trafficPolicy: TrafficPolicy = pruneEmpty({
    ...tp,
    connectionPool: {
      ...pool,
      tcp: { ...pool.tcp, maxConnections: form.maxConnections },
      http: { ...pool.http, http1MaxPendingRequests: form.http1MaxPendingRequests, maxRequestsPerConnection: form.maxRequestsPerConnection },
    },
    outlierDetection: {
      ...tp.outlierDetection,
      consecutive5xxErrors: form.consecutive5xxErrors,
      interval: form.interval.trim() || undefined,
      baseEjectionTime: form.baseEjectionTime.trim() || undefined,
      maxEjectionPercent: form.maxEjectionPercent,
    },
  });
  dr.spec = withField(dr.spec, "trafficPolicy", Object.keys(trafficPolicy).length > 0 ? trafficPolicy : undefined);
  return [dr];
}
