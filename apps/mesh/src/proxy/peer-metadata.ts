import type { WorkloadIdentity } from "@skein/shared";
import type { HeaderMap } from "./http/exchange.ts";

/**
 * Istio's metadata exchange, simplified: each sidecar tells the other who it is
 * (workload, namespace, labels, cluster), the client in the request and the server in
 * the response, so metrics on both sides carry the peer's workload labels
 * (source_workload, source_app, ... on the server; destination_workload, ... on the
 * client). A sidecar sends it only over mTLS, trusts it only there (where the principal
 * is proven), and removes it before the app sees the message.
 */
export const PEER_METADATA_HEADER = "x-skein-peer-metadata";

/** Istio's CLUSTER_ID for a single-cluster mesh (source_cluster / destination_cluster). */
export const DEFAULT_CLUSTER_ID = "Kubernetes";

export interface PeerMetadata {
  workload: string;
  namespace: string;
  labels: Record<string, string>;
  /** The peer's cluster id; absent from a peer that did not send one. */
  cluster?: string;
}

export function encodePeerMetadata(w: Pick<WorkloadIdentity, "name" | "namespace" | "labels">, clusterId = DEFAULT_CLUSTER_ID): string {
  return Buffer.from(JSON.stringify({ workload: w.name, namespace: w.namespace, labels: w.labels, cluster: clusterId })).toString("base64");
}

/** Removes the header and returns its raw value (the first, if repeated). */
export function takeRawPeerMetadata(headers: HeaderMap): string | undefined {
  const raw = rawPeerMetadata(headers);
  if (headers[PEER_METADATA_HEADER] !== undefined) delete headers[PEER_METADATA_HEADER];
  return raw;
}

/**
 * The header's raw value (the first, if repeated), left in place: for hot paths that
 * leave the header out when they copy the map, instead of deleting it (see requestHeaders).
 */
export function rawPeerMetadata(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const raw = headers[PEER_METADATA_HEADER];
  if (raw === undefined) return undefined;
  return (Array.isArray(raw) ? raw[0] : raw) || undefined;
}

/** Reads an encoded value; undefined when it is not one (the peer is then unknown, never an error). */
export function decodePeerMetadata(value: string | undefined): PeerMetadata | undefined {
  if (!value) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64").toString("utf8")) as Partial<PeerMetadata>;
    if (typeof parsed.workload !== "string" || typeof parsed.namespace !== "string") return undefined;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.labels ?? {})) if (typeof v === "string") labels[k] = v;
    return { workload: parsed.workload, namespace: parsed.namespace, labels, ...(typeof parsed.cluster === "string" && parsed.cluster !== "" ? { cluster: parsed.cluster } : {}) };
  } catch {
    return undefined;
  }
}

export function takePeerMetadata(headers: HeaderMap): PeerMetadata | undefined {
  return decodePeerMetadata(takeRawPeerMetadata(headers));
}
