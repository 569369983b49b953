/**
 * The PromQL behind the graph, in the shapes Kiali uses (kiali/kiali
 * graph/telemetry/istio/istio.go and its securityPolicy and responseTime appenders), with
 * one change: Kiali runs its queries once per namespace and merges the maps; here each
 * query covers all requested namespaces with a regex matcher, and the two halves Kiali
 * sends separately are joined with `or`, which drops the series both halves return.
 *
 * Which reporter counts a request, as in Kiali: the client's proxy (reporter="source")
 * for every caller that has one, because it also sees requests that never reached a
 * server; the server's proxy (reporter="destination") only for callers outside the mesh
 * (source_workload="unknown"), which have no proxy to report them. Destination series of
 * every edge are fetched anyway: only the server knows connection_security_policy
 * (the client reports "unknown"), so they give the mTLS share. buildGraph applies the
 * same rule per series, so each request counts once.
 */
import { isDns1123Label } from "../model/common.ts";
import type { GraphOptions, GraphQuery } from "./types.ts";

/** The labels that name an edge's two ends, as Kiali groups by them. */
export const EDGE_LABELS = [
  "source_workload_namespace",
  "source_workload",
  "source_canonical_service",
  "source_canonical_revision",
  "destination_service_namespace",
  "destination_service",
  "destination_service_name",
  "destination_workload_namespace",
  "destination_workload",
  "destination_canonical_service",
  "destination_canonical_revision",
] as const;

/** `reporter` costs nothing (one value per query) and lets the builder deduplicate. */
export const REQUEST_GROUP_BY = [
  "reporter",
  ...EDGE_LABELS,
  "request_protocol",
  "response_code",
  "grpc_response_status",
  "response_flags",
  "connection_security_policy",
] as const;

export const TCP_GROUP_BY = ["reporter", ...EDGE_LABELS, "response_flags", "connection_security_policy"] as const;

export const LATENCY_GROUP_BY = ["le", "reporter", ...EDGE_LABELS, "request_protocol"] as const;

export const RESPONSE_TIME_QUANTILE = 0.95;

const PROM_DURATION = /^[0-9]+(ms|s|m|h|d|w|y)$/;

/**
 * The queries for one graph, to run as instant queries at the same evaluation time.
 * The graph type does not change them: as in Kiali, it only changes how buildGraph maps
 * series to nodes. Throws on a namespace that is not a DNS-1123 label or a window that
 * is not a Prometheus duration, since either would end up inside the PromQL text.
 */
export function graphQueries(options: Pick<GraphOptions, "namespaces" | "window" | "includeIdleEdges" | "responseTime">): GraphQuery[] {
  const { namespaces, window } = options;
  for (const ns of namespaces) {
    if (!isDns1123Label(ns)) throw new RangeError(`namespace "${ns}" is not a DNS-1123 label`);
  }
  if (!PROM_DURATION.test(window)) throw new RangeError(`window "${window}" is not a Prometheus duration such as 5m`);
  if (namespaces.length === 0) return [];

  const ns = `"${[...new Set(namespaces)].join("|")}"`;
  // Kiali drops zero-rate series unless idle edges are wanted; it shrinks the payload too.
  const keep = options.includeIdleEdges ? "" : " > 0";
  const sum = (metric: string, selector: string, by: readonly string[]) =>
    `sum(rate(${metric}{${selector}}[${window}])) by (${by.join(",")})${keep}`;
  const either = (a: string, b: string) => `(${a}) or (${b})`;

  const bySource = (metric: string, by: readonly string[]) =>
    either(
      // traffic leaving the namespaces (and staying inside them)
      sum(metric, `reporter="source",source_workload_namespace=~${ns}`, by),
      // traffic entering them from meshed callers elsewhere
      sum(metric, `reporter="source",source_workload!="unknown",destination_service_namespace=~${ns}`, by),
    );
  const byDestination = (metric: string, by: readonly string[]) =>
    either(
      // callers outside the mesh, and the security policy of every edge into the namespaces
      sum(metric, `reporter="destination",destination_workload_namespace=~${ns}`, by),
      // the security policy of edges leaving them
      sum(metric, `reporter="destination",source_workload_namespace=~${ns}`, by),
    );

  // Like Kiali's responseTime appender: successful requests only, so that fast failures do
  // not pull the percentile down; the client's view of every meshed caller, the server's
  // only for callers outside the mesh. Each series is read by one query: histograms are
  // most of Prometheus's work for a graph, and reading both reporters doubled it.
  const ok = `response_code!~"0|[45][0-9][0-9]",grpc_response_status=~"|0"`;
  const quantile = (selector: string) => {
    const buckets = `rate(istio_request_duration_milliseconds_bucket{${selector},${ok}}[${window}])`;
    return `histogram_quantile(${RESPONSE_TIME_QUANTILE}, sum(${buckets}) by (${LATENCY_GROUP_BY.join(",")})) > 0`;
  };

  const queries: GraphQuery[] = [
    { name: "requests-source", metric: "requests", query: bySource("istio_requests_total", REQUEST_GROUP_BY) },
    { name: "requests-destination", metric: "requests", query: byDestination("istio_requests_total", REQUEST_GROUP_BY) },
    { name: "latency-destination", metric: "latency", query: quantile(`reporter="destination",source_workload="unknown",destination_workload_namespace=~${ns}`) },
    {
      name: "latency-source",
      metric: "latency",
      query: either(
        // calls leaving the namespaces (and staying inside them)
        quantile(`reporter="source",source_workload_namespace=~${ns}`),
        // calls entering them from meshed callers elsewhere
        quantile(`reporter="source",source_workload!="unknown",source_workload_namespace!~${ns},destination_service_namespace=~${ns}`),
      ),
    },
    { name: "tcp-sent-source", metric: "tcpSent", query: bySource("istio_tcp_sent_bytes_total", TCP_GROUP_BY) },
    { name: "tcp-sent-destination", metric: "tcpSent", query: byDestination("istio_tcp_sent_bytes_total", TCP_GROUP_BY) },
    { name: "tcp-received-source", metric: "tcpReceived", query: bySource("istio_tcp_received_bytes_total", TCP_GROUP_BY) },
    {
      name: "tcp-received-destination",
      metric: "tcpReceived",
      query: byDestination("istio_tcp_received_bytes_total", TCP_GROUP_BY),
    },
  ];
  return options.responseTime === false ? queries.filter((q) => q.metric !== "latency") : queries;
}
