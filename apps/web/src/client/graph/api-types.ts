/**
 * Payloads of the console's graph, metrics and applied-config APIs, as the browser reads
 * them and the route handlers write them. Type-only: no code crosses the server boundary.
 */
import type { AppliedConfig, Graph, GraphType } from "@skein/shared/browser";

export interface GraphResponse {
  graph: Graph;
  meta: {
    namespaces: string[];
    graphType: GraphType;
    /** Prometheus duration of the window ("5m"). */
    duration: string;
    idleEdges: boolean;
    /** Unix seconds the instant queries were evaluated at. */
    queryTime: number;
    /** Milliseconds spent: Prometheus (all queries in parallel), the builder, in all. */
    timings: { prometheusMs: number; buildMs: number; totalMs: number };
    /** The response came from the few-second server cache. */
    cached: boolean;
    /** Parts left out and why (e.g. badges when the control plane is unreachable). */
    warnings: string[];
  };
}

export type MetricsSignal = "rate" | "errorRate" | "p50" | "p95" | "p99";

export interface MetricsResponse {
  /** Each signal as [unix seconds, value] points; a signal without data is empty. */
  series: Record<MetricsSignal, [number, number][]>;
  start: number;
  end: number;
  step: number;
  rateInterval: number;
}

export type ValidationStatus = "valid" | "warning" | "error";

export interface AppliedConfigItem extends AppliedConfig {
  status: ValidationStatus;
  messages: { severity: "error" | "warning"; code: string; message: string }[];
}

export interface AppliedConfigResponse {
  items: AppliedConfigItem[];
  scope: { hosts: string[]; workloads: string[] };
}
