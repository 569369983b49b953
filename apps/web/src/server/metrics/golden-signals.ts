/**
 * The PromQL behind a node's or an edge's golden signals over Istio's standard metrics:
 * request rate, 5xx share and latency percentiles, as Kiali's metrics pages ask for them
 * (kiali business/metrics.go): inbound metrics from the server's proxy
 * (reporter="destination"), outbound and edge metrics from the client's proxy
 * (reporter="source"), except for callers outside the mesh, which have no proxy.
 */
import type { NodeRef } from "@skein/shared";

export type Direction = "inbound" | "outbound";

export type MetricsTarget = { kind: "node"; node: NodeRef; direction: Direction } | { kind: "edge"; source: NodeRef; destination: NodeRef };

export const SIGNALS = ["rate", "errorRate", "p50", "p95", "p99"] as const;
export type Signal = (typeof SIGNALS)[number];

const QUANTILES: Record<Exclude<Signal, "rate" | "errorRate">, number> = { p50: 0.5, p95: 0.95, p99: 0.99 };

export interface RangePlan {
  /** Unix seconds. */
  start: number;
  end: number;
  step: number;
  /** The range of each rate(): at least a minute, so two samples fall in it at a 15 s scrape interval. */
  rateInterval: number;
  queries: Record<Signal, string>;
}

/** Outside-the-mesh callers have neither workload nor namespace (Istio reports "unknown"). */
export const UNKNOWN = "unknown";

type Labels = [string, string][];

/**
 * The requests a node sends. A service node sends nothing itself; its workloads do, named
 * by canonical service, which defaults to the app label and so usually to the service.
 */
function callerLabels(ref: NodeRef): Labels {
  if (isOutside(ref)) return [["source_workload", UNKNOWN]];
  const out: Labels = [["source_workload_namespace", ref.namespace]];
  if (ref.workload) out.push(["source_workload", ref.workload]);
  else out.push(["source_canonical_service", ref.app ?? ref.service ?? ""]);
  if (ref.version && !ref.workload) out.push(["source_canonical_revision", ref.version]);
  return out;
}

/** The node for callers without a sidecar: only the server's proxy reports their requests. */
export function isOutside(ref: NodeRef): boolean {
  return ref.workload === UNKNOWN && ref.namespace === UNKNOWN;
}

function isServiceOnly(ref: NodeRef): ref is NodeRef & { service: string } {
  return ref.service !== undefined && !ref.workload && !ref.app;
}

/**
 * An edge's source. A service source followed by a workload is Kiali's injected hop
 * (service -> the workload that answered): the requests addressed to that service.
 */
function sourceLabels(ref: NodeRef, destination: NodeRef): Labels {
  if (isServiceOnly(ref) && !isServiceOnly(destination)) {
    return [["destination_service_name", ref.service], ["destination_service_namespace", ref.namespace]];
  }
  return callerLabels(ref);
}

function destinationLabels(ref: NodeRef): Labels {
  if (isServiceOnly(ref)) return [["destination_service_name", ref.service], ["destination_service_namespace", ref.namespace]];
  const out: Labels = [["destination_workload_namespace", ref.namespace]];
  if (ref.workload) out.push(["destination_workload", ref.workload]);
  else if (ref.app) out.push(["destination_canonical_service", ref.app]);
  if (ref.version && !ref.workload) out.push(["destination_canonical_revision", ref.version]);
  return out;
}

/** A PromQL double-quoted string: backslashes and quotes escaped, whatever the value. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** The label matchers (without braces) that pick the target's requests. */
export function targetSelector(target: MetricsTarget): string {
  let labels: Labels;
  let reporter: "source" | "destination";
  if (target.kind === "node") {
    const { node, direction } = target;
    if (direction === "inbound") {
      labels = destinationLabels(node);
      reporter = "destination";
    } else {
      labels = callerLabels(node);
      reporter = isOutside(node) ? "destination" : "source";
    }
  } else {
    labels = [...sourceLabels(target.source, target.destination), ...destinationLabels(target.destination)];
    reporter = isOutside(target.source) ? "destination" : "source";
  }
  const seen = new Map<string, string>([["reporter", reporter]]);
  for (const [k, v] of labels) if (!seen.has(k)) seen.set(k, v);
  return [...seen].map(([k, v]) => `${k}=${promString(v)}`).join(",");
}

/**
 * Step and rate interval for a window: about 100 points (never finer than 5 s, a common
 * scrape interval), and a rate range of two steps but at least a minute.
 */
export function rangeFor(windowS: number, end: number, step?: number): Pick<RangePlan, "start" | "end" | "step" | "rateInterval"> {
  const s = step ?? Math.max(5, Math.ceil(windowS / 100 / 5) * 5);
  return { start: end - windowS, end, step: s, rateInterval: Math.max(60, 2 * s) };
}

export function goldenSignalQueries(target: MetricsTarget, windowS: number, end: number, step?: number): RangePlan {
  const range = rangeFor(windowS, end, step);
  const sel = targetSelector(target);
  const ri = `${range.rateInterval}s`;
  const requests = `sum(rate(istio_requests_total{${sel}}[${ri}]))`;
  // `or on() vector(0)`: no 5xx series at all means 0 %, not a missing point, while no
  // requests at all still gives no point (0/0 would claim a share of nothing).
  const errors = `(sum(rate(istio_requests_total{${sel},response_code=~"5.."}[${ri}])) or on() vector(0))`;
  const buckets = `sum(rate(istio_request_duration_milliseconds_bucket{${sel}}[${ri}])) by (le)`;
  const quantile = (q: number) => `histogram_quantile(${q}, ${buckets})`;
  return {
    ...range,
    queries: {
      rate: requests,
      errorRate: `100 * ${errors} / ${requests}`,
      p50: quantile(QUANTILES.p50),
      p95: quantile(QUANTILES.p95),
      p99: quantile(QUANTILES.p99),
    },
  };
}

/**
 * A range result to chart points: the first series (the queries aggregate to one), with
 * NaN and infinite samples left out (a quantile over no requests is NaN).
 */
export function toPoints(result: readonly { values: readonly (readonly [number, string])[] }[]): [number, number][] {
  const first = result[0];
  if (!first) return [];
  const out: [number, number][] = [];
  for (const [t, v] of first.values) {
    const n = Number(v);
    if (Number.isFinite(n)) out.push([t, n]);
  }
  return out;
}
