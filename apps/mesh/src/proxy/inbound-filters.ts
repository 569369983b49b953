import { createHash } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { evaluateAuthorization, principalFromSpiffeId, uriSanFromPeer, type ProxySnapshot } from "@skein/shared";
import type { HeaderMap } from "./http/exchange.ts";
import type { RoutingTable } from "./http/routing-table.ts";
import { decodePeerMetadata, type PeerMetadata } from "./peer-metadata.ts";
import type { PeerInfo } from "./telemetry/istio-labels.ts";

/**
 * What the inbound side learned about a downstream connection before any request on it.
 * The certificate-derived fields are computed once at the handshake, not per request, as
 * Envoy's connection-level `Ssl::ConnectionInfo` caches them.
 */
export interface ConnectionPeer {
  /** Accepted by the TLS filter chain (mTLS) rather than the plaintext one. */
  tls: boolean;
  spiffeId?: string;
  /** The caller's principal as AuthorizationPolicy matches it (`td/ns/x/sa/y`), and its namespace. */
  principal?: { name: string; namespace: string };
  certHash?: string;
  /** The caller's last peer metadata, decoded once per connection rather than per request. */
  metadata?: { raw: string; decoded: PeerMetadata | undefined };
  /** The x-forwarded-client-cert value for this caller, by our identity. */
  xfcc?: { by: string; value: string };
  /** The metrics' view of the caller for the last service addressed on this connection (istio-labels caches labels per object). */
  info?: { serviceHost: string; metadata: PeerMetadata | undefined; namespace: string; peer: PeerInfo };
}

/** A completed mTLS handshake's caller. */
export function tlsPeer(tls: TLSSocket): ConnectionPeer {
  const cert = tls.getPeerCertificate(false);
  const spiffeId = uriSanFromPeer(cert);
  const principal = spiffeId ? principalFromSpiffeId(spiffeId) : undefined;
  return {
    tls: true,
    ...(spiffeId ? { spiffeId } : {}),
    ...(principal ? { principal: { name: principal, namespace: principal.split("/ns/")[1]?.split("/")[0] ?? "" } } : {}),
    ...(cert.raw ? { certHash: createHash("sha256").update(cert.raw).digest("hex") } : {}),
  };
}

/** The caller's metadata header, trusted on mTLS only (only a peer sidecar can present a mesh certificate). */
export function callerMetadata(peer: ConnectionPeer, raw: string | undefined): PeerMetadata | undefined {
  if (!peer.spiffeId || !raw) return undefined;
  if (peer.metadata?.raw !== raw) peer.metadata = { raw, decoded: decodePeerMetadata(raw) };
  return peer.metadata.decoded;
}

export interface InboundHttpRequest {
  method: string;
  path: string;
  authority: string;
  headers: HeaderMap;
  sourceIp: string;
  destinationIp: string;
}

/** Envoy's RBAC filter with the snapshot's AuthorizationPolicies. */
export function authorized(snapshot: ProxySnapshot, peer: ConnectionPeer, req: InboundHttpRequest): boolean {
  const authz = snapshot.inbound.authorization;
  // No policy at all, the usual case: allowed (Istio), without building the RBAC input.
  if (authz.custom.length === 0 && authz.deny.length === 0 && authz.allow.length === 0) return true;
  const principal = peer.principal;
  return evaluateAuthorization(authz, {
    ...(principal ? { principal: principal.name, namespace: principal.namespace } : {}),
    sourceIp: req.sourceIp,
    destinationIp: req.destinationIp,
    port: snapshot.inbound.ports[0]?.port ?? 0,
    http: { host: req.authority, method: req.method, path: req.path, headers: req.headers },
  }).allowed;
}

/**
 * Sanitizes and sets x-forwarded-client-cert (Istio's SANITIZE_SET): only this sidecar may
 * speak for the caller's identity.
 */
export function setForwardedClientCert(headers: HeaderMap, peer: ConnectionPeer, ownSpiffeId: string): void {
  if (peer.spiffeId) {
    // The same for every request of the connection while our own identity stays.
    if (peer.xfcc?.by !== ownSpiffeId) peer.xfcc = { by: ownSpiffeId, value: `By=${ownSpiffeId};Hash=${peer.certHash ?? ""};Subject="";URI=${peer.spiffeId}` };
    headers["x-forwarded-client-cert"] = peer.xfcc.value;
  } else delete headers["x-forwarded-client-cert"];
  headers["x-forwarded-proto"] = "http";
}

const services = new WeakMap<RoutingTable, Map<string, { host: string; port: number }>>();
/** Distinct Host values remembered per routing table; any caller can send any Host. */
const MAX_SERVICES = 1024;

/** The service the caller addressed, as Istio's destination_service labels and the span name read it; looked up once per table and Host. */
export function addressedService(table: RoutingTable, authority: string): { host: string; port: number } {
  let known = services.get(table);
  if (known === undefined) services.set(table, (known = new Map()));
  let service = known.get(authority);
  if (service === undefined) {
    const vh = table.find(authority)?.vh;
    service = { host: vh?.name.replace(/:\d+$/, "") ?? authority.split(":")[0]!, port: vh?.port ?? 0 };
    if (known.size >= MAX_SERVICES) known.clear();
    known.set(authority, service);
  }
  return service;
}

/** The metrics' view of the caller, reused across the connection's requests while it stays the same. */
export function inboundPeerInfo(peer: ConnectionPeer, serviceHost: string, metadata: PeerMetadata | undefined, localNamespace: string): PeerInfo {
  const cached = peer.info;
  if (cached && cached.serviceHost === serviceHost && cached.metadata === metadata && cached.namespace === localNamespace) return cached.peer;
  const info: PeerInfo = {
    direction: "inbound",
    ...(peer.spiffeId ? { principal: peer.spiffeId } : {}),
    ...(metadata ? { workload: metadata.workload, namespace: metadata.namespace, labels: metadata.labels, ...(metadata.cluster ? { cluster: metadata.cluster } : {}) } : {}),
    service: { host: serviceHost, name: serviceHost.split(".")[0]!, namespace: serviceHost.split(".")[1] ?? localNamespace },
  };
  peer.info = { serviceHost, metadata, namespace: localNamespace, peer: info };
  return info;
}
