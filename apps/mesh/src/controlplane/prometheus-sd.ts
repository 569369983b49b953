/**
 * Prometheus HTTP service discovery (`http_sd_configs`): one target group per workload
 * whose sidecar serves metrics, so a stock Prometheus finds every sidecar by itself.
 * Target labels follow what Istio's Prometheus relabelling gives a sidecar's target.
 */
import type { Workload } from "@skein/shared";
import { canonicalRevision, canonicalService } from "../proxy/telemetry/istio-labels.ts";
import type { RouteDef } from "./http.ts";

export const PROMETHEUS_SD_PATH = "/api/v1/prometheus/sd";
/** Where the sidecar serves Istio's metrics, as Envoy's admin does. */
export const SIDECAR_METRICS_PATH = "/stats/prometheus";

export interface HttpSdTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * The host of a workload's address. Accepts a bare host or IP, `host:port`, and IPv6
 * with or without brackets; an IPv6 target is written in brackets.
 */
export function metricsHost(address: string): string {
  const a = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) return `[${bracketed[1]}]`;
  if ((a.match(/:/g) ?? []).length > 1) return `[${a}]`;
  return a.replace(/:\d+$/, "");
}

/**
 * Target groups for the workloads that have a metrics port, sorted so the answer is
 * stable. `app` and `version` are Istio's canonical service and revision, the values the
 * sidecar's own metrics carry, never empty (Prometheus drops an empty label).
 */
export function httpSdTargets(workloads: readonly Workload[]): HttpSdTargetGroup[] {
  return workloads
    .filter((w) => w.metricsPort !== undefined && w.address !== "")
    .map((w) => ({
      targets: [`${metricsHost(w.address)}:${w.metricsPort}`],
      labels: {
        namespace: w.namespace,
        workload: w.name,
        app: canonicalService(w.labels, w.name),
        version: canonicalRevision(w.labels),
        __metrics_path__: SIDECAR_METRICS_PATH,
      },
    }))
    .sort((a, b) => a.labels.namespace.localeCompare(b.labels.namespace) || a.labels.workload.localeCompare(b.labels.workload) || a.targets[0]!.localeCompare(b.targets[0]!));
}

export interface PrometheusSdDeps {
  /** The registry's current workloads. */
  workloads: () => readonly Workload[];
}

export function prometheusSdRoutes(deps: PrometheusSdDeps): RouteDef[] {
  return [{ method: "GET", path: PROMETHEUS_SD_PATH, auth: "none", handler: async () => httpSdTargets(deps.workloads()) }];
}
