import type { JaegerSpan, JaegerTrace } from "@skein/shared/browser";

const TRACE = "c0ed147188fee28ef4e8b15b8d06d5b3";

interface SpanSpec {
  id: string;
  parent?: string;
  kind: "client" | "server";
  /** The reporting sidecar's workload, app and version. */
  workload: string;
  app: string;
  version?: string;
  host: string;
  subset?: string;
  startMs: number;
  durationMs: number;
  status: number;
  flags?: string;
}

/** A span as the control plane's Jaeger API returns what the sidecar reported. */
function span(s: SpanSpec, processID: string): JaegerSpan {
  const tags: JaegerSpan["tags"] = [
    { key: "http.method", type: "string", value: "GET" },
    { key: "http.url", type: "string", value: `http://${s.host.split(".")[0]}:9080/` },
    { key: "http.status_code", type: "int64", value: s.status },
    { key: "response_flags", type: "string", value: s.flags ?? "-" },
    { key: "node_id", type: "string", value: `sidecar~127.0.0.1~${s.workload}.shop~shop.svc.cluster.local` },
    { key: "istio.namespace", type: "string", value: "shop" },
    { key: "istio.canonical_service", type: "string", value: s.app },
    { key: "istio.canonical_revision", type: "string", value: s.version ?? "v1" },
    ...(s.kind === "client" ? [{ key: "upstream_cluster", type: "string" as const, value: `outbound|9080|${s.subset ?? ""}|${s.host}` }] : [{ key: "upstream_cluster", type: "string" as const, value: "inbound|9080||" }]),
    { key: "span.kind", type: "string", value: s.kind },
    ...(s.status >= 500 || s.status === 0 ? [{ key: "error", type: "bool" as const, value: true }] : []),
  ];
  return {
    traceID: TRACE,
    spanID: s.id,
    operationName: `${s.host}:9080/*`,
    references: s.parent ? [{ refType: "CHILD_OF", traceID: TRACE, spanID: s.parent }] : [],
    startTime: 1_795_344_710_000_000 + s.startMs * 1000,
    duration: s.durationMs * 1000,
    tags,
    logs: [],
    processID,
    warnings: null,
  };
}

/**
 * The demo's usual request: traffic -> productpage -> details (first attempt 503, retried)
 * and reviews-v2 -> ratings (500). Spans arrive in start order, a server span a little
 * before its client span when clocks disagree by a millisecond.
 */
export function shopTrace(): JaegerTrace {
  const specs: (SpanSpec & { service: string })[] = [
    { service: "productpage.shop", id: "a2", parent: "a1", kind: "server", workload: "productpage-v1", app: "productpage", host: "productpage.shop.svc.cluster.local", startMs: 0, durationMs: 54, status: 200 },
    { service: "traffic.shop", id: "a1", kind: "client", workload: "traffic", app: "traffic", host: "productpage.shop.svc.cluster.local", startMs: 1, durationMs: 52, status: 200 },
    { service: "productpage.shop", id: "b1", parent: "a2", kind: "client", workload: "productpage-v1", app: "productpage", host: "details.shop.svc.cluster.local", startMs: 2, durationMs: 20, status: 200 },
    { service: "details.shop", id: "b2", parent: "b1", kind: "server", workload: "details-v1", app: "details", host: "details.shop.svc.cluster.local", startMs: 3, durationMs: 5, status: 503, flags: "-" },
    { service: "details.shop", id: "b3", parent: "b1", kind: "server", workload: "details-v1", app: "details", host: "details.shop.svc.cluster.local", startMs: 10, durationMs: 9, status: 200 },
    { service: "productpage.shop", id: "c1", parent: "a2", kind: "client", workload: "productpage-v1", app: "productpage", host: "reviews.shop.svc.cluster.local", subset: "v2", startMs: 23, durationMs: 30, status: 200 },
    { service: "reviews.shop", id: "c2", parent: "c1", kind: "server", workload: "reviews-v2", app: "reviews", version: "v2", host: "reviews.shop.svc.cluster.local", startMs: 24, durationMs: 28, status: 200 },
    { service: "reviews.shop", id: "d1", parent: "c2", kind: "client", workload: "reviews-v2", app: "reviews", version: "v2", host: "ratings.shop.svc.cluster.local", startMs: 26, durationMs: 16, status: 500 },
    { service: "ratings.shop", id: "d2", parent: "d1", kind: "server", workload: "ratings-v1", app: "ratings", host: "ratings.shop.svc.cluster.local", startMs: 27, durationMs: 14, status: 500 },
  ];
  const processes: JaegerTrace["processes"] = {};
  const ids = new Map<string, string>();
  const spans = specs.map((s) => {
    let p = ids.get(s.service);
    if (!p) {
      p = `p${ids.size + 1}`;
      ids.set(s.service, p);
      processes[p] = { serviceName: s.service, tags: [] };
    }
    return span(s, p);
  });
  return { traceID: TRACE, spans, processes, warnings: null, error: true };
}
