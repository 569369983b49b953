import type { WorkloadIdentity } from "@skein/shared";
import type { HeaderMap } from "./http/exchange.ts";

/**
 * Istio's metadata exchange, simplified: the client sidecar tells the server sidecar who
 * it is (workload, namespace, labels) so destination-side metrics carry source_workload,
 * source_app and source_version. The server trusts it only on mTLS, where the principal
 * is proven, and removes it before the app sees the request.
 */
export const PEER_METADATA_HEADER = "x-skein-peer-metadata";

export interface PeerMetadata {
  workload: string;
  namespace: string;
  labels: Record<string, string>;
}

export function encodePeerMetadata(w: Pick<WorkloadIdentity, "name" | "namespace" | "labels">): string {
  return Buffer.from(JSON.stringify({ workload: w.name, namespace: w.namespace, labels: w.labels })).toString("base64");
}

export function takePeerMetadata(headers: HeaderMap): PeerMetadata | undefined {
  const raw = headers[PEER_METADATA_HEADER];
  delete headers[PEER_METADATA_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as Partial<PeerMetadata>;
    if (typeof parsed.workload !== "string" || typeof parsed.namespace !== "string") return undefined;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.labels ?? {})) if (typeof v === "string") labels[k] = v;
    return { workload: parsed.workload, namespace: parsed.namespace, labels };
  } catch {
    return undefined;
  }
}
