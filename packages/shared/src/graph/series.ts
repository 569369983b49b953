/**
 * Reads one Prometheus sample of an Istio metric into the fields the graph needs, and
 * decides, as Kiali's populateTrafficMap does, whether it is usable and whether it counts.
 */
import type { PromSample } from "./types.ts";
import { GRPC_STATUS_CODES } from "../model/http-fault.ts";

export const UNKNOWN = "unknown";

/** Kiali's graph.IsOK: a label that names something. */
export function isOK(value: string): boolean {
  return value !== "" && value !== UNKNOWN;
}

/** One end of a series, in the labels Kiali builds node ids from. */
export interface Endpoints {
  sourceNamespace: string;
  sourceWorkload: string;
  sourceApp: string;
  sourceVersion: string;
  destServiceNamespace: string;
  /** destination_service: the host the caller asked for. */
  destServiceHost: string;
  destService: string;
  destWorkloadNamespace: string;
  destWorkload: string;
  destApp: string;
  destVersion: string;
}

export interface MeshSeries extends Endpoints {
  /** undefined when the query did not group by reporter: then the series counts as is. */
  reporter: "source" | "destination" | undefined;
  protocol: "http" | "grpc";
  /** request_protocol, response_code and grpc_response_status folded into one key (see responseKey). */
  response: string;
  /** connection_security_policy: "mutual_tls", "none", or "unknown" when the reporter cannot know. */
  securityPolicy: string;
  value: number;
}

// Prometheus leaves out labels whose value is empty, so a missing label reads as "".
const label = (m: Record<string, string>, name: string): string => m[name] ?? "";

/** A physical IP with an optional port, which Istio reports for half-formed telemetry. */
const IP_SERVICE = /^\d+\.\d+\.\d+\.\d+(:\d+)?$/;

/**
 * Reads a sample; undefined for samples Kiali skips: NaN (a quantile of no traffic) and
 * known bad telemetry (util.IsBadSourceTelemetry / IsBadDestTelemetry).
 */
export function readSeries(sample: PromSample): MeshSeries | undefined {
  const value = Number(sample.value[1]);
  if (!Number.isFinite(value) || value < 0) return undefined;
  const m = sample.metric;
  const sourceNamespace = label(m, "source_workload_namespace");
  const sourceWorkload = label(m, "source_workload");
  const sourceApp = label(m, "source_canonical_service");
  // A namespace without workload or app: telemetry from a pod being torn down.
  if (isOK(sourceNamespace) && !isOK(sourceWorkload) && !isOK(sourceApp)) return undefined;
  const destServiceHost = label(m, "destination_service");
  const destService = label(m, "destination_service_name");
  const destWorkload = label(m, "destination_workload");
  if (!isOK(destWorkload) && isOK(destService) && destServiceHost === destService && IP_SERVICE.test(destService)) return undefined;
  const protocol = m.request_protocol === "grpc" ? "grpc" : "http";
  return {
    sourceNamespace,
    sourceWorkload,
    sourceApp,
    sourceVersion: label(m, "source_canonical_revision"),
    destServiceNamespace: label(m, "destination_service_namespace"),
    destServiceHost,
    destService,
    destWorkloadNamespace: label(m, "destination_workload_namespace"),
    destWorkload,
    destApp: label(m, "destination_canonical_service"),
    destVersion: label(m, "destination_canonical_revision"),
    reporter: m.reporter === "source" || m.reporter === "destination" ? m.reporter : undefined,
    protocol,
    response: responseKey(protocol, label(m, "response_code"), label(m, "grpc_response_status")),
    securityPolicy: label(m, "connection_security_policy") || UNKNOWN,
    value,
  };
}

/**
 * Whether a series counts toward traffic, so that a request both proxies reported counts
 * once: the client's report for meshed callers (it also sees requests that never reached
 * a server), the server's report only for callers outside the mesh, which have no proxy.
 */
export function countsAsTraffic(s: Pick<MeshSeries, "reporter" | "sourceWorkload">): boolean {
  if (s.reporter === "destination") return s.sourceWorkload === UNKNOWN;
  if (s.reporter === "source") return s.sourceWorkload !== UNKNOWN;
  return true;
}

/** Whether the series is about the requested namespaces at all (either end inside them). */
export function touches(s: Endpoints, namespaces: ReadonlySet<string>): boolean {
  return namespaces.has(s.sourceNamespace) || namespaces.has(s.destServiceNamespace) || namespaces.has(s.destWorkloadNamespace);
}


const HTTP_ERROR = /^[45]\d\d$/;

/**
 * Kiali's util.HandleResponseCode, keyed for display: Istio's response_code 0 means no
 * response ("-") whatever the protocol; a gRPC call whose HTTP status is not an error is
 * keyed by its grpc-status name; everything else by HTTP status class ("2xx", "5xx").
 */
export function responseKey(protocol: "http" | "grpc", code: string, grpcStatus: string): string {
  if (code === "0") return "-";
  if (protocol === "grpc" && grpcStatus !== "" && !HTTP_ERROR.test(code)) {
    return GRPC_STATUS_CODES[Number(grpcStatus)] ?? `grpc-${grpcStatus}`;
  }
  return /^[1-5]\d\d$/.test(code) ? `${code[0]}xx` : code || "-";
}

/** Responses counted as errors by Kiali's default health tolerances, by tolerance. */
export type ErrorClass = "5xx" | "4xx" | "grpc" | "noResponse";

export function errorClass(response: string): ErrorClass | undefined {
  if (response === "5xx" || response === "4xx") return response;
  if (response === "-") return "noResponse";
  if (response !== "OK" && ((GRPC_STATUS_CODES as readonly string[]).includes(response) || response.startsWith("grpc-"))) return "grpc";
  return undefined;
}

/** Kiali's responseTime appender keeps successful requests only. */
export function isSuccessfulResponse(sample: PromSample): boolean {
  const code = sample.metric.response_code;
  const grpc = sample.metric.grpc_response_status;
  if (code !== undefined && (code === "0" || HTTP_ERROR.test(code))) return false;
  return grpc === undefined || grpc === "" || grpc === "0";
}
