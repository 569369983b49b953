import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { createServer as createHttp2Server, type Http2Server, type Http2ServerRequest, type ServerHttp2Session } from "node:http2";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from "node:tls";
import { sniffDownstream } from "./downstream-sniffer.ts";
import { upstreamHttpVersion } from "./http2-upstream.ts";
import { APP_CONNECT_TIMEOUT_MS, InboundCluster, appFailureFlag } from "./inbound-cluster.ts";
import { acceptTunnel } from "./tcp-proxy.ts";
import { refuse } from "./tcp-tunnel.ts";
import type { IstioMetrics } from "./telemetry/istio-metrics.ts";
import { relayUpgrade, requestedUpgrade } from "./websocket.ts";
import type { MtlsMode, ProxySnapshot, WorkloadIdentity } from "@skein/shared";
import type { IdentitySource } from "./identity.ts";
import { localReply, type ProxyResponse } from "./http/exchange.ts";
import { hasNoBody, readBody, requestHeaders, writeResponse, type DownstreamRequest, type DownstreamResponse } from "./http/downstream.ts";
import { PEER_METADATA_HEADER, encodePeerMetadata, rawPeerMetadata, type PeerMetadata } from "./peer-metadata.ts";
import { addressedService, authorized, callerMetadata, inboundPeerInfo, setForwardedClientCert, tlsPeer, type ConnectionPeer, type InboundHttpRequest } from "./inbound-filters.ts";
import type { RequestTelemetry } from "./request-telemetry.ts";
import type { RoutingTable } from "./http/routing-table.ts";
import type { RequestFacts } from "./request-telemetry.ts";
import type { ResponseFlag } from "./response-flags.ts";
import { parseGrpcStatus } from "./upstream/grpc-status.ts";

const TLS_HANDSHAKE = 0x16;

interface InboundState {
  snapshot: ProxySnapshot;
  table: RoutingTable;
}

/** An admitted request: what the filters read, and their verdict. */
interface Admitted extends InboundHttpRequest {
  metadata: PeerMetadata | undefined;
  started: ReturnType<RequestTelemetry["begin"]>;
  allowed: boolean;
}

type InboundOutcome = Pick<RequestFacts, "protocol" | "grpc" | "status" | "grpcStatus" | "flags" | "requestBytes" | "responseBytes" | "upstreamServiceTimeMs">;

/** Envoy's local reply when the app cannot be reached. */
const APP_FAILURE = "upstream connect error or disconnect/reset before headers. reset reason: connection failure";

const peers = new WeakMap<Socket, ConnectionPeer>();
/** HTTP/2 requests see their connection only through a proxy object; their session carries the peer. */
const sessionPeers = new WeakMap<ServerHttp2Session, ConnectionPeer>();

function peerOf(req: DownstreamRequest): ConnectionPeer | undefined {
  return "stream" in req ? sessionPeers.get((req as Http2ServerRequest).stream.session as ServerHttp2Session) : peers.get(req.socket as Socket);
}

const ignore = (): void => undefined;

/** A bug, not a network condition: log it and drop the connection. */
function unexpected(e: unknown, socket: Duplex): void {
  console.error("skein proxy: unexpected error on an inbound tunnel", e);
  socket.destroy();
}

/** Closes a request's connection (an HTTP/2 request's socket may not be touched directly). */
function dropConnection(req: DownstreamRequest): void {
  if ("stream" in req) (req as Http2ServerRequest).stream.session?.destroy();
  else req.socket.destroy();
}

/**
 * The inbound listener: accepts peer sidecars (mTLS) and, under PERMISSIVE, plaintext
 * callers on the same port, told apart by the first byte (a TLS handshake record is
 * 0x16). Enforces PeerAuthentication and AuthorizationPolicy, then forwards to the app
 * with the caller's identity in x-forwarded-client-cert.
 */
export class InboundListener {
  private readonly net: NetServer;
  /**
   * Handshakes go through a tls.Server, not a bare TLSSocket: only the server checks the
   * client's chain after the handshake (a bare server-side TLSSocket accepts any
   * certificate even with rejectUnauthorized) and it lets rotation swap the context.
   */
  private readonly tls: TlsServer;
  private readonly http: HttpServer;
  /** HTTP/2 (ALPN h2 after mTLS, or h2c under PERMISSIVE), served by the same `serve`. */
  private readonly h2: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();
  private handing: ConnectionPeer | undefined;
  private readonly tunnels = new Set<Duplex>();
  private readonly app: InboundCluster;
  private haveIdentity = false;
  private ownMetadata: { workload: WorkloadIdentity; encoded: string } | undefined;
  private inboundCluster: { snapshot: ProxySnapshot; name: string } | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly state: () => InboundState,
    private readonly identity: IdentitySource,
    private readonly appPort: number,
    private readonly telemetry: RequestTelemetry,
    appHost = "127.0.0.1",
    private readonly metrics?: IstioMetrics,
  ) {
    this.app = new InboundCluster(appHost, appPort);
    this.http = createHttpServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => void this.serve(req, res));
    this.http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.serveUpgrade(req, socket, head).catch((e: unknown) => unexpected(e, socket)));
    this.http.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.serveConnect(req, socket as Socket, head).catch((e: unknown) => unexpected(e, socket)));
    this.h2 = createHttp2Server({}, (req, res) => void this.serve(req, res));
    this.h2.on("session", (session: ServerHttp2Session) => {
      if (this.handing) sessionPeers.set(session, this.handing);
      this.sessions.add(session);
      session.once("close", () => this.sessions.delete(session));
    });
    // h2 first: peers on http2/grpc clusters ask for it; HTTP/1.1 pools and tunnels offer only http/1.1.
    this.tls = createTlsServer({ requestCert: true, rejectUnauthorized: true, ALPNProtocols: ["h2", "http/1.1"] }, (tls) => this.secured(tls));
    this.tls.on("tlsClientError", (_e, socket) => socket.destroy());
    // TCP_NODELAY as Envoy sets on its listeners: a small answer (a CONNECT 200) is not held back by Nagle.
    this.net = createNetServer({ pauseOnConnect: false, noDelay: true }, (socket) => this.accept(socket));
    this.refreshContext();
    identity.onRotate(() => this.refreshContext());
  }

  private refreshContext(): void {
    const c = this.identity.current();
    this.haveIdentity = c !== undefined;
    // New handshakes use the new certificate; established connections keep theirs.
    if (c) this.tls.setSecureContext({ cert: c.certPem, key: c.keyPem, ca: c.rootPem });
  }

  async listen(port: number, host = "127.0.0.1"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.net.once("error", reject);
      this.net.listen(port, host, () => resolve());
    });
    return (this.net.address() as AddressInfo).port;
  }

  /** Idempotent, like the sidecar's stop that calls it. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.http.closeAllConnections();
      for (const s of this.sessions) s.destroy();
      for (const t of this.tunnels) t.destroy();
      await new Promise<void>((resolve) => this.net.close(() => resolve()));
      await this.app.close();
    })();
    return this.closing;
  }

  /**
   * PeerAuthentication's mode for this listener. portLevelMtls is keyed by the workload's
   * port (not the service port), which is the app port this listener fronts.
   */
  private mode(): MtlsMode {
    const { mtls } = this.state().snapshot.inbound;
    return mtls.portLevel[this.appPort] ?? mtls.mode;
  }

  private accept(socket: Socket): void {
    this.telemetry.connectionOpened("inbound");
    socket.once("close", () => this.telemetry.connectionClosed("inbound"));
    socket.once("error", () => socket.destroy());
    socket.once("readable", () => {
      const first: Buffer | null = socket.read(1);
      if (first === null) return socket.end();
      socket.unshift(first);
      const mode = this.mode();
      if (first[0] === TLS_HANDSHAKE && this.haveIdentity && mode !== "DISABLE") {
        this.tls.emit("connection", socket);
        return;
      }
      // STRICT refuses plaintext at the connection, as Envoy's listener has no plaintext chain.
      if (mode === "STRICT" || first[0] === TLS_HANDSHAKE) return socket.destroy();
      peers.set(socket, { tls: false });
      sniffDownstream(socket, (protocol) => this.handTo(protocol === "http2" ? this.h2 : this.http, socket));
    });
  }

  /** A completed handshake whose client certificate chains to the mesh root. */
  private secured(tls: TLSSocket): void {
    peers.set(tls, tlsPeer(tls));
    this.handTo(tls.alpnProtocol === "h2" ? this.h2 : this.http, tls);
  }

  private handTo(server: HttpServer | Http2Server, socket: Socket): void {
    if (server === this.http) return void this.http.emit("connection", socket);
    // The HTTP/2 server creates the session synchronously inside emit: that is when it learns its peer.
    this.handing = peers.get(socket);
    try {
      this.h2.emit("connection", socket);
    } finally {
      this.handing = undefined;
    }
  }

  /** A peer's CONNECT (TCP service): authorized without HTTP fields, then spliced to the app. */
  private async serveConnect(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const peer = peers.get(socket);
    if (peer === undefined || this.chainRemoved(peer)) return void socket.destroy();
    this.track(socket);
    const { snapshot, table } = this.state();
    await acceptTunnel(
      {
        authorization: snapshot.inbound.authorization,
        table,
        app: { host: this.app.host, port: this.app.port },
        ...(peer.spiffeId ? { spiffeId: peer.spiffeId } : {}),
        ownMetadata: this.metadataOf(snapshot.workload),
        ...(this.metrics ? { metrics: this.metrics } : {}),
        connectTimeoutMs: APP_CONNECT_TIMEOUT_MS,
      },
      req,
      socket,
      head,
    );
  }

  /**
   * An Upgrade (WebSocket): authorized as the HTTP request it is, then relayed to the
   * app over HTTP/1.1; logged and counted when the upgraded connection ends.
   */
  private async serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const { snapshot, table } = this.state();
    const peer = peers.get(req.socket as Socket);
    if (peer === undefined || this.chainRemoved(peer)) return void socket.destroy();
    this.track(socket);
    const admitted = this.admit(req, peer, snapshot);
    const flags: ResponseFlag[] = [];
    let outcome: { status: number; requestBytes: number; responseBytes: number };
    if (!admitted.allowed) {
      refuse(socket, 403, "RBAC: access denied");
      outcome = { status: 403, requestBytes: 0, responseBytes: "RBAC: access denied".length };
    } else {
      const gone = new AbortController();
      const onClose = () => gone.abort();
      socket.once("close", onClose);
      let response: ProxyResponse;
      try {
        response = await this.app.upgrade({ method: admitted.method, path: admitted.path, authority: admitted.authority, headers: admitted.headers, body: null }, requestedUpgrade(req) ?? "websocket", gone.signal);
      } catch (e) {
        flags.push(appFailureFlag(e));
        response = localReply(503, APP_FAILURE);
      }
      socket.off("close", onClose);
      this.answerPeer(response, peer, snapshot);
      outcome = await relayUpgrade(socket, head, response);
    }
    this.record(req, admitted, peer, snapshot, table, { protocol: "HTTP/1.1", grpc: false, flags, ...outcome });
  }

  /** Sockets handed over by the HTTP server have lost its error listener; a reset must not crash us. */
  private track(socket: Duplex): void {
    socket.on("error", ignore);
    this.tunnels.add(socket);
    socket.once("close", () => this.tunnels.delete(socket));
  }

  /**
   * A connection accepted by a filter chain the current mode no longer has (plaintext
   * under STRICT, TLS under DISABLE). Envoy drains such connections when the listener
   * changes; Skein closes them at their next request so a policy takes effect at once.
   */
  private chainRemoved(peer: ConnectionPeer): boolean {
    const mode = this.mode();
    return peer.tls ? mode === "DISABLE" : mode === "STRICT";
  }

  private async serve(req: DownstreamRequest, res: DownstreamResponse): Promise<void> {
    const { snapshot, table } = this.state();
    const peer = peerOf(req);
    if (peer === undefined || this.chainRemoved(peer)) return void dropConnection(req);
    const admitted = this.admit(req, peer, snapshot);
    const flags: ResponseFlag[] = [];
    const grpc = String(admitted.headers["content-type"] ?? "").startsWith("application/grpc");
    let requestBytes = 0;
    let response: ProxyResponse;
    let upstreamMs: number | undefined;
    if (!admitted.allowed) {
      // Envoy's RBAC filter answers 403 with this exact body.
      response = localReply(403, "RBAC: access denied");
    } else {
      try {
        const body = hasNoBody(req) ? null : await readBody(req);
        requestBytes = body?.length ?? 0;
        const t0 = performance.now();
        const version = upstreamHttpVersion(snapshot.inbound.ports[0]?.protocol, { http2: req.httpVersion === "2.0", grpc });
        response = await this.app.forward({ method: admitted.method, path: admitted.path, authority: admitted.authority, headers: admitted.headers, body }, version);
        upstreamMs = performance.now() - t0;
      } catch (e) {
        flags.push(appFailureFlag(e));
        response = localReply(503, APP_FAILURE);
      }
    }
    this.answerPeer(response, peer, snapshot);
    writeResponse(res, response, (written) => {
      if (!written.complete) flags.push("DC");
      const trailers = response.trailers?.();
      const grpcStatus = grpc ? parseGrpcStatus(String(trailers?.["grpc-status"] ?? response.headers["grpc-status"] ?? "")) : undefined;
      this.record(req, admitted, peer, snapshot, table, {
        protocol: req.httpVersion === "2.0" ? "HTTP/2" : "HTTP/1.1",
        grpc,
        status: response.status,
        grpcStatus,
        flags,
        requestBytes,
        responseBytes: written.bytes,
        upstreamServiceTimeMs: upstreamMs,
      });
    });
  }

  /**
   * What every inbound HTTP request goes through before the app: the caller's metadata
   * taken off, telemetry begun (request id, trace context), Envoy's RBAC filter, and XFCC.
   */
  private admit(req: DownstreamRequest, peer: ConnectionPeer, snapshot: ProxySnapshot): Admitted {
    // The caller's metadata is read here and never forwarded to the app.
    const headers = requestHeaders(req, PEER_METADATA_HEADER);
    const metadata = callerMetadata(peer, rawPeerMetadata(req.headers));
    const http: InboundHttpRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      authority: String(req.headers.host ?? req.headers[":authority"] ?? ""),
      headers,
      sourceIp: req.socket.remoteAddress ?? "",
      destinationIp: req.socket.localAddress ?? "",
    };
    const started = this.telemetry.begin(headers);
    const allowed = authorized(snapshot, peer, http);
    if (allowed) setForwardedClientCert(headers, peer, snapshot.workload.spiffeId);
    return { ...http, metadata, started, allowed };
  }

  /**
   * The exchange's answer: the client sidecar learns who served it, over mTLS only; on
   * plaintext the app's own header is dropped so nothing can pose as this workload.
   */
  private answerPeer(response: ProxyResponse, peer: ConnectionPeer, snapshot: ProxySnapshot): void {
    if (peer.spiffeId) response.headers[PEER_METADATA_HEADER] = this.metadataOf(snapshot.workload);
    else delete response.headers[PEER_METADATA_HEADER];
  }

  /** The request's metrics, access-log line and span, once its response is done. */
  private record(req: DownstreamRequest, a: Admitted, peer: ConnectionPeer, snapshot: ProxySnapshot, table: RoutingTable, outcome: InboundOutcome): void {
    const service = addressedService(table, a.authority);
    // One object shape for every request (undefined rather than absent fields): no spreads on the hot path.
    this.telemetry.end(
      a.started,
      {
        direction: "inbound",
        method: a.method,
        path: a.path,
        authority: a.authority,
        protocol: outcome.protocol,
        grpc: outcome.grpc,
        status: outcome.status,
        grpcStatus: outcome.grpcStatus,
        flags: outcome.flags,
        requestBytes: outcome.requestBytes,
        responseBytes: outcome.responseBytes,
        upstreamServiceTimeMs: outcome.upstreamServiceTimeMs,
        upstreamCluster: this.clusterName(snapshot),
        downstreamAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        peerPrincipal: peer.spiffeId,
        serviceHost: service.host,
        servicePort: service.port,
      },
      inboundPeerInfo(peer, service.host, a.metadata, snapshot.workload.namespace),
      a.headers,
    );
  }

  /** Envoy's name for the inbound cluster, `inbound|<port>||`, once per snapshot. */
  private clusterName(snapshot: ProxySnapshot): string {
    if (this.inboundCluster?.snapshot !== snapshot) this.inboundCluster = { snapshot, name: `inbound|${snapshot.inbound.ports[0]?.port ?? 0}||` };
    return this.inboundCluster.name;
  }

  private metadataOf(workload: WorkloadIdentity): string {
    if (this.ownMetadata?.workload !== workload) this.ownMetadata = { workload, encoded: encodePeerMetadata(workload) };
    return this.ownMetadata.encoded;
  }
}
