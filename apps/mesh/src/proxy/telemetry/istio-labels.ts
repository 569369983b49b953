/**
 * Istio's standard metric labels and how a sidecar fills them. Mirrors istio/proxy
 * `source/extensions/filters/http/istio_stats/istio_stats.cc` (populatePeerInfo): the
 * proxy's own workload fills one side, the peer (from the mTLS certificate and the
 * endpoint's workload metadata) the other, and whatever is not known is "unknown".
 */
import type { Cluster, Endpoint, WorkloadIdentity } from "@skein/shared";

/** The labels that describe who talked to whom; the first 20 of every Istio metric. */
export const PEER_LABELS = [
  "reporter",
  "source_workload",
  "source_workload_namespace",
  "source_principal",
  "source_app",
  "source_version",
  "source_canonical_service",
  "source_canonical_revision",
  "source_cluster",
  "destination_workload",
  "destination_workload_namespace",
  "destination_principal",
  "destination_app",
  "destination_version",
  "destination_service",
  "destination_service_name",
  "destination_service_namespace",
  "destination_canonical_service",
  "destination_canonical_revision",
  "destination_cluster",
] as const;

/** istio_requests_total, istio_request_duration_milliseconds, istio_request_bytes, istio_response_bytes. */
export const HTTP_LABELS = [
  ...PEER_LABELS,
  "request_protocol",
  "response_code",
  "grpc_response_status",
  "response_flags",
  "connection_security_policy",
] as const;

/** The istio_tcp_* metrics: Istio adds no response code or gRPC status to them. */
export const TCP_LABELS = [...PEER_LABELS, "request_protocol", "response_flags", "connection_security_policy"] as const;

export const UNKNOWN = "unknown";
/** Istio's canonical revision when no label names one. */
export const LATEST = "latest";

/** The proxy's own workload, as the snapshot names it, plus the cluster id (Istio's CLUSTER_ID). */
export interface LocalWorkload extends Pick<WorkloadIdentity, "name" | "namespace" | "labels" | "spiffeId"> {
  /** `source_cluster` / `destination_cluster`; Istio's single-cluster default is "Kubernetes". */
  clusterId: string;
}

/**
 * The other end of a request or connection. Build it once per endpoint (outbound) or per
 * downstream connection (inbound) and reuse the same object: the metrics cache their label
 * values on it, so a request never rebuilds the 25 label values.
 */
export interface PeerInfo {
  /** `outbound`: this proxy is the client (reporter="source"); `inbound`: the server (reporter="destination"). */
  direction: "outbound" | "inbound";
  /** Peer SPIFFE URI SAN from the mTLS handshake (`spiffe://td/ns/x/sa/y`); absent on plain text. */
  principal?: string;
  /** Peer workload name (Deployment name), when the registry knows it. */
  workload?: string;
  /** Peer namespace; the principal's `/ns/<namespace>/` wins when both are known, as in Istio. */
  namespace?: string;
  /** Peer pod labels (app, version, service.istio.io/canonical-*). */
  labels?: Readonly<Record<string, string>>;
  /** Peer cluster id. */
  cluster?: string;
  /**
   * The destination service: outbound, the cluster's service; inbound, the service the
   * caller addressed. For Passthrough/BlackHole traffic pass the authority as `host` and
   * the cluster's name as `name`, which is what Istio reports.
   */
  service?: { host: string; name: string; namespace?: string };
}

/**
 * Istio's canonical service: the `service.istio.io/canonical-name` label, else
 * `app.kubernetes.io/name`, else `app`, else the workload name (what the injector writes).
 */
export function canonicalService(labels: Readonly<Record<string, string>> | undefined, workload: string | undefined): string {
  return (
    nonEmpty(labels?.["service.istio.io/canonical-name"]) ??
    nonEmpty(labels?.["app.kubernetes.io/name"]) ??
    nonEmpty(labels?.app) ??
    nonEmpty(workload) ??
    UNKNOWN
  );
}

/** Istio's canonical revision: canonical-revision, app.kubernetes.io/version, version, else "latest". */
export function canonicalRevision(labels: Readonly<Record<string, string>> | undefined): string {
  return (
    nonEmpty(labels?.["service.istio.io/canonical-revision"]) ??
    nonEmpty(labels?.["app.kubernetes.io/version"]) ??
    nonEmpty(labels?.version) ??
    LATEST
  );
}

/** The namespace inside `<trust-domain>/ns/<namespace>/sa/<sa>`, as Istio's getNamespace reads it. */
export function namespaceFromPrincipal(principal: string | undefined): string | undefined {
  if (!principal) return undefined;
  const at = principal.indexOf("/ns/");
  if (at < 0) return undefined;
  const begin = at + 4;
  const end = principal.indexOf("/", begin);
  return nonEmpty(end < 0 ? principal.slice(begin) : principal.slice(begin, end));
}

/**
 * Istio reports `mutual_tls` or `none` only on the server side (where both certificates
 * are seen); the client side reports `unknown`.
 */
export function connectionSecurityPolicy(peer: PeerInfo): string {
  if (peer.direction === "outbound") return UNKNOWN;
  return peer.principal ? "mutual_tls" : "none";
}

/** Values for PEER_LABELS, in that order. */
export function peerLabelValues(local: LocalWorkload, peer: PeerInfo): string[] {
  const known = peer.workload !== undefined || peer.labels !== undefined;
  const remote = {
    workload: nonEmpty(peer.workload) ?? UNKNOWN,
    namespace: namespaceFromPrincipal(peer.principal) ?? nonEmpty(peer.namespace) ?? UNKNOWN,
    principal: nonEmpty(peer.principal) ?? UNKNOWN,
    app: nonEmpty(peer.labels?.app) ?? UNKNOWN,
    version: nonEmpty(peer.labels?.version) ?? UNKNOWN,
    canonicalService: known ? canonicalService(peer.labels, peer.workload) : UNKNOWN,
    canonicalRevision: canonicalRevision(peer.labels),
    cluster: nonEmpty(peer.cluster) ?? UNKNOWN,
  };
  const localCanonical = canonicalService(local.labels, local.name);
  const self = {
    workload: nonEmpty(local.name) ?? UNKNOWN,
    namespace: nonEmpty(local.namespace) ?? UNKNOWN,
    // Our certificate is only on the wire when the peer's is: mTLS both ways or plain text.
    principal: peer.principal ? (nonEmpty(local.spiffeId) ?? UNKNOWN) : UNKNOWN,
    app: nonEmpty(local.labels.app) ?? UNKNOWN,
    version: nonEmpty(local.labels.version) ?? UNKNOWN,
    canonicalService: localCanonical,
    canonicalRevision: canonicalRevision(local.labels),
    cluster: nonEmpty(local.clusterId) ?? UNKNOWN,
  };
  if (peer.direction === "outbound") {
    return [
      "source",
      ...sideValues(self),
      remote.workload,
      remote.namespace,
      remote.principal,
      remote.app,
      remote.version,
      nonEmpty(peer.service?.host) ?? UNKNOWN,
      nonEmpty(peer.service?.name) ?? UNKNOWN,
      // Istio uses the peer's namespace; the service's is the better guess when the peer is unknown.
      remote.namespace !== UNKNOWN ? remote.namespace : (nonEmpty(peer.service?.namespace) ?? UNKNOWN),
      remote.canonicalService,
      remote.canonicalRevision,
      remote.cluster,
    ];
  }
  return [
    "destination",
    ...sideValues(remote),
    self.workload,
    self.namespace,
    self.principal,
    self.app,
    self.version,
    nonEmpty(peer.service?.host) ?? localCanonical,
    nonEmpty(peer.service?.name) ?? localCanonical,
    self.namespace,
    self.canonicalService,
    self.canonicalRevision,
    self.cluster,
  ];
}

/** The outbound peer behind an endpoint of a cluster, as the snapshot describes it. */
export function outboundPeer(
  cluster: Pick<Cluster, "host" | "service">,
  endpoint: Pick<Endpoint, "workload" | "namespace" | "labels"> | undefined,
  principal?: string,
): PeerInfo {
  return {
    direction: "outbound",
    principal,
    workload: endpoint?.workload,
    namespace: endpoint?.namespace,
    labels: endpoint?.labels,
    service: { host: cluster.host, name: cluster.service.name, namespace: cluster.service.namespace },
  };
}

interface Side {
  workload: string;
  namespace: string;
  principal: string;
  app: string;
  version: string;
  canonicalService: string;
  canonicalRevision: string;
  cluster: string;
}

function sideValues(s: Side): string[] {
  return [s.workload, s.namespace, s.principal, s.app, s.version, s.canonicalService, s.canonicalRevision, s.cluster];
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === "" ? undefined : s;
}
