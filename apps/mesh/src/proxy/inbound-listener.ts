import { createHash } from "node:crypto";
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
import { evaluateAuthorization, principalFromSpiffeId, uriSanFromPeer, type MtlsMode, type ProxySnapshot, type WorkloadIdentity } from "@skein/shared";
import type { IdentitySource } from "./identity.ts";
import { localReply, type ProxyResponse } from "./http/exchange.ts";
import { readBody, requestHeaders, writeResponse, type DownstreamRequest, type DownstreamResponse } from "./http/downstream.ts";
import { PEER_METADATA_HEADER, decodePeerMetadata, encodePeerMetadata, takeRawPeerMetadata, type PeerMetadata } from "./peer-metadata.ts";
import type { RequestTelemetry } from "./request-telemetry.ts";
import type { RoutingTable } from "./http/routing-table.ts";
import type { PeerInfo } from "./telemetry/istio-labels.ts";
import type { ResponseFlag } from "./response-flags.ts";
import { parseGrpcStatus } from "./upstream/grpc-status.ts";

const TLS_HANDSHAKE = 0x16;

interface InboundState {
  snapshot: ProxySnapshot;
  table: RoutingTable;
}

/** What the inbound side learned about the connection before any request on it. */
interface ConnectionPeer {
  /** Accepted by the TLS filter chain (mTLS) rather than the plaintext one. */
  tls: boolean;
  spiffeId?: string;
  certHash?: string;
  /** The caller's last peer metadata, decoded once per connection rather than per request. */
  metadata?: { raw: string; decoded: PeerMetadata | undefined };
}

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
    const cert = tls.getPeerCertificate(false);
    const spiffeId = uriSanFromPeer(cert);
    peers.set(tls, { tls: true, ...(spiffeId ? { spiffeId } : {}), ...(cert.raw ? { certHash: createHash("sha256").update(cert.raw).digest("hex") } : {}) });
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
    const headers = requestHeaders(req);
    const rawMetadata = takeRawPeerMetadata(headers);
    const metadata = peer.spiffeId && rawMetadata ? this.callerMetadata(peer, rawMetadata) : undefined;
    const authority = req.headers.host ?? "";
    const path = req.url ?? "/";
    const started = this.telemetry.begin(headers);
    const flags: ResponseFlag[] = [];
    const principal = peer.spiffeId ? principalFromSpiffeId(peer.spiffeId) : undefined;
    const decision = evaluateAuthorization(snapshot.inbound.authorization, {
      ...(principal ? { principal, namespace: principal.split("/ns/")[1]?.split("/")[0] ?? "" } : {}),
      sourceIp: req.socket.remoteAddress ?? "",
      destinationIp: req.socket.localAddress ?? "",
      port: snapshot.inbound.ports[0]?.port ?? 0,
      http: { host: authority, method: req.method ?? "GET", path, headers },
    });
    let outcome: { status: number; requestBytes: number; responseBytes: number };
    if (!decision.allowed) {
      refuse(socket, 403, "RBAC: access denied");
      outcome = { status: 403, requestBytes: 0, responseBytes: "RBAC: access denied".length };
    } else {
      if (peer.spiffeId) headers["x-forwarded-client-cert"] = `By=${snapshot.workload.spiffeId};Hash=${peer.certHash ?? ""};Subject="";URI=${peer.spiffeId}`;
      else delete headers["x-forwarded-client-cert"];
      headers["x-forwarded-proto"] = "http";
      const gone = new AbortController();
      const onClose = () => gone.abort();
      socket.once("close", onClose);
      let response: ProxyResponse;
      try {
        response = await this.app.upgrade({ method: req.method ?? "GET", path, authority, headers, body: null }, requestedUpgrade(req) ?? "websocket", gone.signal);
      } catch (e) {
        flags.push(appFailureFlag(e));
        response = localReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
      }
      socket.off("close", onClose);
      if (peer.spiffeId) response.headers[PEER_METADATA_HEADER] = this.metadataOf(snapshot.workload);
      else delete response.headers[PEER_METADATA_HEADER];
      outcome = await relayUpgrade(socket, head, response);
    }
    const vh = table.find(authority)?.vh;
    const serviceHost = vh?.name.replace(/:\d+$/, "") ?? authority.split(":")[0]!;
    const peerInfo: PeerInfo = {
      direction: "inbound",
      ...(peer.spiffeId ? { principal: peer.spiffeId } : {}),
      ...(metadata ? { workload: metadata.workload, namespace: metadata.namespace, labels: metadata.labels, ...(metadata.cluster ? { cluster: metadata.cluster } : {}) } : {}),
      service: { host: serviceHost, name: serviceHost.split(".")[0]!, namespace: serviceHost.split(".")[1] ?? snapshot.workload.namespace },
    };
    this.telemetry.end(
      started,
      {
        direction: "inbound",
        method: req.method ?? "GET",
        path,
        authority,
        protocol: "HTTP/1.1",
        grpc: false,
        status: outcome.status,
        flags,
        requestBytes: outcome.requestBytes,
        responseBytes: outcome.responseBytes,
        upstreamCluster: `inbound|${snapshot.inbound.ports[0]?.port ?? 0}||`,
        downstreamAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        ...(peer.spiffeId ? { peerPrincipal: peer.spiffeId } : {}),
        serviceHost,
        servicePort: vh?.port ?? 0,
      },
      peerInfo,
      headers,
    );
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
    const headers = requestHeaders(req);
    const rawMetadata = takeRawPeerMetadata(headers);
    const metadata = peer.spiffeId && rawMetadata ? this.callerMetadata(peer, rawMetadata) : undefined;
    const authority = String(req.headers.host ?? req.headers[":authority"] ?? "");
    const path = req.url ?? "/";
    const started = this.telemetry.begin(headers);
    const flags: ResponseFlag[] = [];
    const principal = peer.spiffeId ? principalFromSpiffeId(peer.spiffeId) : undefined;
    const decision = evaluateAuthorization(snapshot.inbound.authorization, {
      ...(principal ? { principal, namespace: principal.split("/ns/")[1]?.split("/")[0] ?? "" } : {}),
      sourceIp: req.socket.remoteAddress ?? "",
      destinationIp: req.socket.localAddress ?? "",
      port: snapshot.inbound.ports[0]?.port ?? 0,
      http: { host: authority, method: req.method ?? "GET", path, headers },
    });
    let requestBytes = 0;
    let response: ProxyResponse;
    let upstreamMs: number | undefined;
    if (!decision.allowed) {
      // Envoy's RBAC filter answers 403 with this exact body.
      response = localReply(403, "RBAC: access denied");
    } else {
      // Sanitize and set XFCC: only this sidecar may speak for the caller's identity.
      if (peer.spiffeId) headers["x-forwarded-client-cert"] = `By=${snapshot.workload.spiffeId};Hash=${peer.certHash ?? ""};Subject="";URI=${peer.spiffeId}`;
      else delete headers["x-forwarded-client-cert"];
      headers["x-forwarded-proto"] = "http";
      try {
        const body = await readBody(req);
        requestBytes = body?.length ?? 0;
        const t0 = performance.now();
        const grpcRequest = String(headers["content-type"] ?? "").startsWith("application/grpc");
        const version = upstreamHttpVersion(snapshot.inbound.ports[0]?.protocol, { http2: req.httpVersion === "2.0", grpc: grpcRequest });
        response = await this.app.forward({ method: req.method ?? "GET", path, authority, headers, body }, version);
        upstreamMs = performance.now() - t0;
      } catch (e) {
        flags.push(appFailureFlag(e));
        response = localReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
      }
    }
    // The exchange's answer: the client sidecar learns who served it, over mTLS only; on
    // plaintext the app's own header is dropped so nothing can pose as this workload.
    if (peer.spiffeId) response.headers[PEER_METADATA_HEADER] = this.metadataOf(snapshot.workload);
    else delete response.headers[PEER_METADATA_HEADER];
    const written = await writeResponse(res, response);
    if (!written.complete) flags.push("DC");
    const vh = table.find(authority)?.vh;
    const serviceHost = vh?.name.replace(/:\d+$/, "") ?? authority.split(":")[0]!;
    const local = snapshot.workload;
    const peerInfo: PeerInfo = {
      direction: "inbound",
      ...(peer.spiffeId ? { principal: peer.spiffeId } : {}),
      ...(metadata ? { workload: metadata.workload, namespace: metadata.namespace, labels: metadata.labels, ...(metadata.cluster ? { cluster: metadata.cluster } : {}) } : {}),
      service: { host: serviceHost, name: serviceHost.split(".")[0]!, namespace: serviceHost.split(".")[1] ?? local.namespace },
    };
    const trailers = response.trailers?.();
    const grpc = String(headers["content-type"] ?? "").startsWith("application/grpc");
    const grpcStatus = parseGrpcStatus(String(trailers?.["grpc-status"] ?? response.headers["grpc-status"] ?? ""));
    this.telemetry.end(
      started,
      {
        direction: "inbound",
        method: req.method ?? "GET",
        path,
        authority,
        protocol: req.httpVersion === "2.0" ? "HTTP/2" : "HTTP/1.1",
        grpc,
        status: response.status,
        ...(grpc && grpcStatus !== undefined ? { grpcStatus } : {}),
        flags,
        requestBytes,
        responseBytes: written.bytes,
        ...(upstreamMs !== undefined ? { upstreamServiceTimeMs: upstreamMs } : {}),
        upstreamCluster: `inbound|${snapshot.inbound.ports[0]?.port ?? 0}||`,
        downstreamAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        ...(peer.spiffeId ? { peerPrincipal: peer.spiffeId } : {}),
        serviceHost,
        servicePort: vh?.port ?? 0,
      },
      peerInfo,
      headers,
    );
  }

  private callerMetadata(peer: ConnectionPeer, raw: string): PeerMetadata | undefined {
    if (peer.metadata?.raw !== raw) peer.metadata = { raw, decoded: decodePeerMetadata(raw) };
    return peer.metadata.decoded;
  }

  private metadataOf(workload: WorkloadIdentity): string {
    if (this.ownMetadata?.workload !== workload) this.ownMetadata = { workload, encoded: encodePeerMetadata(workload) };
    return this.ownMetadata.encoded;
  }
}
