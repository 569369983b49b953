import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { evaluateAuthorization, labelsMatch, pickWeighted, principalFromSpiffeId, type CompiledAuthorization, type TcpRoute, type VirtualHost } from "@skein/shared";
import type { Clock, Rng } from "./clock.ts";
import type { ClusterManager, ClusterRuntime } from "./cluster/cluster-runtime.ts";
import type { UpstreamTransport } from "./cluster/transport.ts";
import type { HeaderMap } from "./http/exchange.ts";
import type { RoutingTable } from "./http/routing-table.ts";
import { decodePeerMetadata, PEER_METADATA_HEADER, takeRawPeerMetadata, type PeerMetadata } from "./peer-metadata.ts";
import { NO_RESPONSE_FLAGS, type ResponseFlag } from "./response-flags.ts";
import { outboundPeer, type PeerInfo } from "./telemetry/istio-labels.ts";
import type { IstioMetrics, TcpSeries } from "./telemetry/istio-metrics.ts";
import { connectThroughPeer, openConnection, refuse, splice, upstreamConnect, writeResponseHead } from "./tcp-tunnel.ts";
import type { EndpointState } from "./upstream/endpoint-state.ts";

/**
 * TCP services, Envoy's tcp_proxy: the app asks for one with `CONNECT host:port`
 * (how HTTPS_PROXY clients reach anything), the client sidecar picks the cluster by
 * weight from the virtual host's TCP routes and the host with the cluster's load
 * balancer, and opens the connection: through the peer sidecar (mTLS, then CONNECT,
 * see tcp-tunnel.ts) when the host has one, directly otherwise. The server sidecar
 * authorizes the tunnel as a TCP connection (no HTTP fields) and connects to its app.
 * Both sides count Istio's TCP metrics for the connection.
 */

/** Istio's tcp route order: the first whose match applies (no match = all). */
export function pickTcpRoute(vh: Pick<VirtualHost, "tcp" | "port">, sourceLabels: Readonly<Record<string, string>>): TcpRoute | undefined {
  for (const r of vh.tcp ?? []) {
    const m = r.match ?? [];
    if (m.length === 0 || m.some((x) => (x.port === undefined || x.port === vh.port) && labelsMatch(x.sourceLabels, sourceLabels))) return r;
  }
  return undefined;
}

export interface TcpProxyDeps {
  table: () => RoutingTable;
  clusters: () => ClusterManager;
  transport: UpstreamTransport;
  rng: Rng;
  clock: Clock;
  metrics: IstioMetrics;
  /** This workload's labels, for sourceLabels matches. */
  sourceLabels: Readonly<Record<string, string>>;
  /** This workload's encoded metadata, sent to peer sidecars (peer-metadata.ts). */
  peerMetadata: string;
}

/** The outbound half: CONNECT from the app to a TCP service. */
export class TcpProxy {
  constructor(private readonly deps: TcpProxyDeps) {}

  async serve(authority: string, downstream: Socket, head: Buffer): Promise<void> {
    const d = this.deps;
    const routed = d.table().find(authority);
    const route = routed ? pickTcpRoute(routed.vh, d.sourceLabels) : undefined;
    // HTTP services are reached with plain requests, not tunnels (Envoy: no filter chain, NR).
    if (!route) return refuse(downstream, 404, `no TCP service "${authority}"`);
    const chosen = pickWeighted(route.clusters, d.rng.next());
    const cluster = chosen && d.clusters().get(chosen.cluster);
    if (!cluster) return refuse(downstream, 503, `cluster ${chosen?.cluster ?? "(none)"} not found`);
    const host = cluster.lb.pick(cluster.hosts, downstream.remoteAddress ? { hashKey: downstream.remoteAddress } : {});
    if (!host) {
      failed(d.metrics.tcpSeries(outboundPeer(cluster.cluster, undefined), "UH"));
      return refuse(downstream, 503, "no healthy upstream");
    }
    const basePeer = outboundPeer(cluster.cluster, host.endpoint);
    // Envoy's tcp_proxy honours max_connections and fails the connection with UO.
    if (!cluster.breakers.openConnection().ok) {
      failed(d.metrics.tcpSeries(basePeer, "UO"));
      return refuse(downstream, 503, "upstream connect error or disconnect/reset before headers. reset reason: overflow");
    }
    try {
      await this.tunnel(cluster, host, basePeer, downstream, head);
    } finally {
      cluster.breakers.closeConnection();
    }
  }

  private async tunnel(cluster: ClusterRuntime, host: EndpointState, basePeer: PeerInfo, downstream: Socket, head: Buffer): Promise<void> {
    const d = this.deps;
    const c = cluster.cluster;
    const { security, connect } = upstreamConnect(d.transport, c, host.endpoint);
    let upstream: Socket | undefined;
    let answer: { status: number; headers: HeaderMap; rest: Buffer } = { status: 200, headers: {}, rest: Buffer.alloc(0) };
    try {
      upstream = await openConnection(connect);
      if (security === "mutual_tls") answer = await connectThroughPeer(upstream, `${c.host}:${c.port}`, { [PEER_METADATA_HEADER]: d.peerMetadata });
    } catch {
      upstream?.destroy();
      // Connect failures count for outlier detection as Envoy's tcp_proxy reports them (a 503).
      cluster.outlier?.putResult(host, "connect-failure", d.clock.now());
      failed(d.metrics.tcpSeries(basePeer, "UF"));
      return refuse(downstream, 503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
    }
    cluster.outlier?.putResult(host, { status: 200 }, d.clock.now());
    const metadata = host.endpoint.sidecar ? decodePeerMetadata(takeRawPeerMetadata(answer.headers)) : undefined;
    const series = d.metrics.tcpSeries(metadata ? withMetadata(basePeer, metadata) : basePeer);
    series.connectionOpened();
    if (answer.status < 200 || answer.status > 299) {
      // The peer refused the tunnel (authorization, no app): the app hears the same.
      upstream.destroy();
      refuse(downstream, answer.status, "upstream refused the connection");
      return series.connectionClosed();
    }
    writeResponseHead(downstream, 200);
    if (head.length > 0) {
      upstream.write(head);
      series.bytesReceived(head.length);
    }
    if (answer.rest.length > 0) {
      downstream.write(answer.rest);
      series.bytesSent(answer.rest.length);
    }
    await splice(downstream, upstream, { received: (n) => series.bytesReceived(n), sent: (n) => series.bytesSent(n) });
    series.connectionClosed();
  }
}

function withMetadata(peer: PeerInfo, m: PeerMetadata): PeerInfo {
  return { ...peer, workload: m.workload, namespace: m.namespace, labels: m.labels, ...(m.cluster ? { cluster: m.cluster } : {}) };
}

/** A connection that never carried bytes still counts as opened and closed, with its flag. */
function failed(series: TcpSeries): void {
  series.connectionOpened();
  series.connectionClosed();
}

export interface InboundTunnelContext {
  authorization: CompiledAuthorization;
  table: RoutingTable;
  /** The app this sidecar fronts. */
  app: { host: string; port: number };
  /** The caller's SPIFFE ID from the mTLS handshake; absent on plaintext (PERMISSIVE). */
  spiffeId?: string;
  /** Our own encoded metadata, returned to peer sidecars with the 200. */
  ownMetadata: string;
  metrics?: IstioMetrics;
  connectTimeoutMs: number;
}

/**
 * The inbound half: a peer's CONNECT. Authorized as a TCP connection (Istio evaluates
 * AuthorizationPolicy without HTTP fields for TCP: ALLOW rules that need them never
 * match, DENY rules drop them), then spliced to the app.
 */
export async function acceptTunnel(ctx: InboundTunnelContext, req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
  const authority = req.url ?? "";
  const port = Number(authority.slice(authority.lastIndexOf(":") + 1)) || 0;
  const principal = ctx.spiffeId ? principalFromSpiffeId(ctx.spiffeId) : undefined;
  const decision = evaluateAuthorization(ctx.authorization, {
    ...(principal ? { principal, namespace: principal.split("/ns/")[1]?.split("/")[0] ?? "" } : {}),
    sourceIp: socket.remoteAddress ?? "",
    destinationIp: socket.localAddress ?? "",
    port,
  });
  // Envoy's RBAC network filter closes a denied connection; the CONNECT answer says why.
  if (!decision.allowed) return refuse(socket, 403, "RBAC: access denied");
  const raw = req.headers[PEER_METADATA_HEADER];
  const metadata = ctx.spiffeId ? decodePeerMetadata(Array.isArray(raw) ? raw[0] : raw) : undefined;
  const vh = ctx.table.find(authority)?.vh;
  const serviceHost = vh?.name.replace(/:\d+$/, "") ?? authority.replace(/:\d+$/, "");
  const peer: PeerInfo = {
    direction: "inbound",
    ...(ctx.spiffeId ? { principal: ctx.spiffeId } : {}),
    ...(metadata ? { workload: metadata.workload, namespace: metadata.namespace, labels: metadata.labels, ...(metadata.cluster ? { cluster: metadata.cluster } : {}) } : {}),
    service: { host: serviceHost, name: serviceHost.split(".")[0]!, ...(serviceHost.split(".")[1] ? { namespace: serviceHost.split(".")[1]! } : {}) },
  };
  let app: Socket;
  try {
    app = await openConnection({ host: ctx.app.host, port: ctx.app.port, connectTimeoutMs: ctx.connectTimeoutMs });
  } catch {
    const flag: ResponseFlag = "UF";
    if (ctx.metrics) failed(ctx.metrics.tcpSeries(peer, flag));
    return refuse(socket, 503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
  }
  const series = ctx.metrics?.tcpSeries(peer, NO_RESPONSE_FLAGS);
  series?.connectionOpened();
  writeResponseHead(socket, 200, ctx.spiffeId ? { [PEER_METADATA_HEADER]: ctx.ownMetadata } : {});
  if (head.length > 0) {
    app.write(head);
    series?.bytesReceived(head.length);
  }
  await splice(socket, app, { received: (n) => series?.bytesReceived(n), sent: (n) => series?.bytesSent(n) });
  series?.connectionClosed();
}
