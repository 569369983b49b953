/**
 * Test helpers: Prometheus samples with Istio's labels as a sidecar reports them, so graph
 * tests read as traffic ("productpage calls reviews-v2, 5 rps, 10% 503") not as label soup.
 */
import type { GraphQueryResult, PromSample } from "./types.ts";

export interface Workload {
  ns: string;
  workload: string;
  app: string;
  version: string;
}

/** `wl("shop", "reviews-v2")` is app reviews, version v2, as the demo names its workloads. */
export function wl(ns: string, workload: string, app?: string, version?: string): Workload {
  const m = /^(.*)-(v\d+)$/.exec(workload);
  return { ns, workload, app: app ?? m?.[1] ?? workload, version: version ?? m?.[2] ?? "latest" };
}

/** A caller without a sidecar, as the server's proxy reports it. */
export const OUTSIDE = "unknown" as const;

export interface Traffic {
  reporter: "source" | "destination";
  from: Workload | typeof OUTSIDE;
  /** The workload that answered; absent when the request reached none (e.g. UH). */
  to?: Workload;
  /** The service called; defaults to the app of `to` in its namespace. */
  service?: { ns: string; name: string };
  protocol?: "http" | "grpc";
  code?: string;
  grpc?: string;
  /** connection_security_policy; defaults as Istio: "unknown" for the client, mutual_tls for the server. */
  policy?: string;
  value: number;
}

export function peerLabels(t: Omit<Traffic, "value" | "protocol" | "code" | "grpc" | "policy">): Record<string, string> {
  const from = t.from === OUTSIDE ? { ns: "unknown", workload: "unknown", app: "unknown", version: "latest" } : t.from;
  const service = t.service ?? { ns: t.to!.ns, name: t.to!.app };
  return {
    reporter: t.reporter,
    source_workload_namespace: from.ns,
    source_workload: from.workload,
    source_canonical_service: from.app,
    source_canonical_revision: from.version,
    destination_service_namespace: service.ns,
    destination_service: `${service.name}.${service.ns}.svc.cluster.local`,
    destination_service_name: service.name,
    destination_workload_namespace: t.to?.ns ?? "unknown",
    destination_workload: t.to?.workload ?? "unknown",
    destination_canonical_service: t.to?.app ?? "unknown",
    destination_canonical_revision: t.to?.version ?? "latest",
  };
}

const policyOf = (t: Traffic) => t.policy ?? (t.reporter === "source" ? "unknown" : "mutual_tls");

/** One istio_requests_total series (already a per-second rate). */
export function requests(t: Traffic): PromSample {
  const metric: Record<string, string> = {
    ...peerLabels(t),
    request_protocol: t.protocol ?? "http",
    response_code: t.code ?? "200",
    response_flags: "-",
    connection_security_policy: policyOf(t),
  };
  if (t.grpc !== undefined) metric.grpc_response_status = t.grpc;
  return { metric, value: [1700000000, String(t.value)] };
}

/** The same requests as both proxies report them. */
export function bothReporters(t: Omit<Traffic, "reporter">): PromSample[] {
  return [requests({ ...t, reporter: "source" }), requests({ ...t, reporter: "destination" })];
}

/** One istio_tcp_*_bytes_total series (bytes per second). */
export function tcp(t: Omit<Traffic, "protocol" | "code" | "grpc">): PromSample {
  return {
    metric: { ...peerLabels(t), request_protocol: "tcp", response_flags: "-", connection_security_policy: policyOf(t) },
    value: [1700000000, String(t.value)],
  };
}

/** One histogram_quantile series of istio_request_duration_milliseconds. */
export function latency(t: Omit<Traffic, "code" | "grpc" | "policy">): PromSample {
  return { metric: { ...peerLabels(t), request_protocol: t.protocol ?? "http" }, value: [1700000000, String(t.value)] };
}

export function results(parts: {
  requests?: PromSample[];
  latency?: PromSample[];
  tcpSent?: PromSample[];
  tcpReceived?: PromSample[];
}): GraphQueryResult[] {
  return [
    { metric: "requests", result: parts.requests ?? [] },
    { metric: "latency", result: parts.latency ?? [] },
    { metric: "tcpSent", result: parts.tcpSent ?? [] },
    { metric: "tcpReceived", result: parts.tcpReceived ?? [] },
  ];
}
