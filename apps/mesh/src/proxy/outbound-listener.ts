import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { sniffDownstream } from "./downstream-sniffer.ts";
import type { TcpProxy } from "./tcp-proxy.ts";
import { refuse } from "./tcp-tunnel.ts";
import { relayUpgrade, requestedUpgrade, type UpgradeRequest } from "./websocket.ts";
import { DownstreamConnectionTermination, MeshError } from "./response-flags.ts";
import { localReply, type Handler, type ProxyRequest, type ProxyResponse } from "./http/exchange.ts";
import { BodyTooLarge, hasNoBody, readBody, requestHeaders, writeResponse, type DownstreamRequest, type DownstreamResponse } from "./http/downstream.ts";
import type { Cluster, Endpoint } from "@skein/shared";
import { decodePeerMetadata, PEER_METADATA_HEADER, rawPeerMetadata, takeRawPeerMetadata } from "./peer-metadata.ts";
import { outboundPeer, type PeerInfo } from "./telemetry/istio-labels.ts";
import type { EndpointState } from "./upstream/endpoint-state.ts";
import { parseGrpcStatus } from "./upstream/grpc-status.ts";
import type { RequestTelemetry } from "./request-telemetry.ts";

/**
 * The outbound listener: the app sends plain HTTP here, naming the service in the Host
 * header or as an absolute URL (so HTTP_PROXY=http://127.0.0.1:<port> works). One port
 * speaks HTTP/1.1 and h2c (told apart by the HTTP/2 preface), upgrades (WebSocket) and
 * CONNECT to TCP services (as HTTPS_PROXY clients send it). HTTP/1.1 and HTTP/2
 * requests run through the same handler chain.
 */
export class OutboundListener {
  private readonly net: NetServer;
  /** HTTP/1.1; it is handed connections, it does not listen itself. */
  readonly server: Server;
  private readonly h2: Http2Server;
  private readonly sessions = new Set<ServerHttp2Session>();
  /** Upgraded and CONNECT connections, which no HTTP server tracks any more. */
  private readonly tunnels = new Set<Duplex>();
  /** The metrics' view of each host, rebuilt only when the host, its cluster or its answer changes. */
  private readonly upstreamPeers = new WeakMap<EndpointState, { cluster: Cluster; endpoint: Endpoint; raw: string | undefined; peer: PeerInfo }>();

  constructor(
    private readonly handler: Handler,
    private readonly telemetry: RequestTelemetry,
    private readonly tcp?: TcpProxy,
  ) {
    this.server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 60_000;
    this.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.serveUpgrade(req, socket, head));
    this.server.on("connect", (req: IncomingMessage, socket: Duplex, head: Buffer) => this.serveConnect(req, socket, head));
    this.h2 = createHttp2Server({}, (req, res) => void this.serve(req, res));
    this.h2.on("session", (session: ServerHttp2Session) => {
      this.sessions.add(session);
      telemetry.connectionOpened("outbound");
      session.once("close", () => {
        this.sessions.delete(session);
        telemetry.connectionClosed("outbound");
      });
    });
    // allowHalfOpen and noDelay as http.Server sets them for itself: a FIN ends one direction
    // only, and small writes are not held back by Nagle.
    this.net = createNetServer({ allowHalfOpen: true, noDelay: true }, (socket: Socket) => sniffDownstream(socket, (p) => (p === "http2" ? this.h2 : this.server).emit("connection", socket)));
    this.server.on("connection", (socket: Socket) => {
      telemetry.connectionOpened("outbound");
      socket.once("close", () => telemetry.connectionClosed("outbound"));
    });
  }

  async listen(port: number, host = "127.0.0.1"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.net.once("error", reject);
      this.net.listen(port, host, () => resolve());
    });
    // http.Server starts tracking its connections (closeIdleConnections) on "listening".
    this.server.emit("listening");
    return (this.net.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.net.close(() => resolve()));
    // Drops idle keep-alive connections and stops the HTTP server's timers; busy ones finish.
    this.server.close();
    for (const s of this.sessions) s.close();
    for (const t of this.tunnels) t.destroy();
    await closed;
  }

  /** Sockets handed over by the HTTP server have lost its error listener; a reset must not crash us. */
  private track(socket: Duplex): void {
    socket.on("error", ignore);
    this.tunnels.add(socket);
    socket.once("close", () => this.tunnels.delete(socket));
  }

  /** CONNECT host:port names a TCP service: the TCP proxy tunnels it through the peer sidecar. */
  private serveConnect(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.track(socket);
    if (!this.tcp) return refuse(socket, 405, "CONNECT is not enabled on this listener");
    this.tcp.serve(req.url ?? "", socket as Socket, head).catch((e: unknown) => {
      console.error("skein proxy: unexpected error in the TCP proxy", e);
      socket.destroy();
    });
  }

  /**
   * An Upgrade request runs through the same chain as any request; a 101 from upstream
   * splices the two connections. It is logged and counted once, when the upgraded
   * connection ends, with the bytes it carried, as Envoy ends an upgraded stream then.
   */
  private async serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.track(socket);
    const headers = requestHeaders(req);
    const { authority, path } = target(req);
    const started = this.telemetry.begin(headers);
    const controller = new AbortController();
    const onClose = () => controller.abort(new DownstreamConnectionTermination());
    socket.once("close", onClose);
    const upgrade = requestedUpgrade(req);
    const request: UpgradeRequest = {
      method: req.method ?? "GET",
      path,
      authority,
      scheme: "http",
      headers,
      body: null,
      grpc: false,
      signal: controller.signal,
      port: 0,
      downstreamAddress: req.socket.remoteAddress ?? "",
      flags: [],
      attempt: 1,
      ...(upgrade ? { upgrade } : {}),
    };
    let response: ProxyResponse;
    try {
      response = await this.handler(request);
    } catch (e) {
      response = this.localReplyFor(e, request);
    }
    socket.off("close", onClose);
    if (request.upstreamServiceTimeMs !== undefined) response.headers["x-envoy-upstream-service-time"] = String(Math.round(request.upstreamServiceTimeMs));
    const upstreamMetadata = takeRawPeerMetadata(response.headers);
    const outcome = await relayUpgrade(socket, head, response);
    if (controller.signal.aborted && !request.flags.includes("DC")) request.flags.push("DC");
    const cluster = request.cluster?.cluster;
    const peer = cluster ? this.upstreamPeer(cluster, request.host, upstreamMetadata) : { direction: "outbound" as const, service: { host: authority, name: authority.split(":")[0]! } };
    this.telemetry.end(
      started,
      {
        direction: "outbound",
        method: request.method,
        path,
        authority,
        protocol: "HTTP/1.1",
        grpc: false,
        status: outcome.status,
        flags: request.flags,
        requestBytes: outcome.requestBytes,
        responseBytes: outcome.responseBytes,
        ...(request.upstreamServiceTimeMs !== undefined ? { upstreamServiceTimeMs: request.upstreamServiceTimeMs } : {}),
        ...(request.host ? { upstreamHost: request.host.hostKey } : {}),
        ...(cluster ? { upstreamCluster: cluster.name } : {}),
        attemptCount: request.attempt,
        ...(request.route ? { routeName: request.route.name } : {}),
        downstreamAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        serviceHost: cluster?.host ?? authority,
        servicePort: request.port,
      },
      peer,
      headers,
    );
  }

  private async serve(req: DownstreamRequest, res: DownstreamResponse): Promise<void> {
    const headers = requestHeaders(req);
    let authority = (req.headers.host ?? req.headers[":authority"] ?? "") as string;
    let path = req.url ?? "/";
    // Proxy-style absolute URL (HTTP_PROXY): the URL names the service.
    if (path.charCodeAt(0) !== 0x2f /* "/" */ && /^https?:\/\//i.test(path)) {
      const url = new URL(path);
      authority = url.host;
      path = `${url.pathname}${url.search}`;
    }
    const started = this.telemetry.begin(headers);
    const signal = downstreamSignal(req, res);
    const request: ProxyRequest = {
      method: req.method ?? "GET",
      path,
      authority,
      scheme: "http",
      headers,
      body: null,
      grpc: String(headers["content-type"] ?? "").startsWith("application/grpc"),
      signal,
      port: 0,
      downstreamAddress: req.socket.remoteAddress ?? "",
      flags: [],
      attempt: 1,
    };
    let requestBytes = 0;
    let response: ProxyResponse;
    try {
      if (!hasNoBody(req)) request.body = await readBody(req);
      requestBytes = request.body?.length ?? 0;
      response = await this.handler(request);
    } catch (e) {
      response = this.localReplyFor(e, request);
    }
    if (request.upstreamServiceTimeMs !== undefined) response.headers["x-envoy-upstream-service-time"] = String(Math.round(request.upstreamServiceTimeMs));
    // The upstream sidecar's metadata is for us, not the app: read, and left out of the response.
    const upstreamMetadata = rawPeerMetadata(response.headers);
    writeResponse(res, response, (written) => {
      if (!written.complete && !request.flags.includes("DC") && signal.aborted) request.flags.push("DC");
      const cluster = request.cluster?.cluster;
      const peer = cluster ? this.upstreamPeer(cluster, request.host, upstreamMetadata) : { direction: "outbound" as const, service: { host: authority, name: authority.split(":")[0]! } };
      const trailers = response.trailers?.();
      const grpcStatus = request.grpc ? parseGrpcStatus(String(trailers?.["grpc-status"] ?? response.headers["grpc-status"] ?? "")) : undefined;
      // One object shape for every request (undefined rather than absent fields): no spreads on the hot path.
      this.telemetry.end(
        started,
        {
          direction: "outbound",
          method: request.method,
          path,
          authority,
          protocol: req.httpVersion === "2.0" ? "HTTP/2" : "HTTP/1.1",
          grpc: request.grpc,
          status: res.headersSent || written.complete ? response.status : 0,
          grpcStatus,
          flags: request.flags,
          requestBytes,
          responseBytes: written.bytes,
          upstreamServiceTimeMs: request.upstreamServiceTimeMs,
          upstreamHost: request.host?.hostKey,
          upstreamCluster: cluster?.name,
          attemptCount: request.attempt,
          routeName: request.route?.name,
          downstreamAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
          serviceHost: cluster?.host ?? authority,
          servicePort: request.port,
        },
        peer,
        headers,
      );
    }, PEER_METADATA_HEADER);
  }

  /**
   * The destination as Istio's metrics name it. A peer sidecar's answer carries its
   * metadata (workload, labels, cluster) and is sent over mTLS only, so with it the
   * principals are known too: the server's is the endpoint's service account, which the
   * handshake checked. Without it there is only the registry's view of the endpoint.
   */
  private upstreamPeer(cluster: Cluster, host: EndpointState | undefined, raw: string | undefined): PeerInfo {
    if (!host) return outboundPeer(cluster, undefined);
    const cached = this.upstreamPeers.get(host);
    if (cached && cached.cluster === cluster && cached.endpoint === host.endpoint && cached.raw === raw) return cached.peer;
    const endpoint = host.endpoint;
    // Only a sidecar's answer is believed: any other server could write the header.
    const metadata = endpoint.sidecar ? decodePeerMetadata(raw) : undefined;
    const principal = metadata ? serverPrincipal(cluster, endpoint) : undefined;
    const peer: PeerInfo = metadata
      ? { ...outboundPeer(cluster, endpoint, principal), workload: metadata.workload, namespace: metadata.namespace, labels: metadata.labels, ...(metadata.cluster ? { cluster: metadata.cluster } : {}) }
      : outboundPeer(cluster, endpoint);
    this.upstreamPeers.set(host, { cluster, endpoint, raw, peer });
    return peer;
  }

  private localReplyFor(e: unknown, request: ProxyRequest): ProxyResponse {
    if (e instanceof MeshError) {
      if (!request.flags.includes(e.flag)) request.flags.push(e.flag);
      // Envoy marks replies its own circuit breakers caused, so callers can tell them apart.
      const extra = e.flag === "UO" ? { "x-envoy-overloaded": "true" } : undefined;
      return e.status === 0 ? localReply(503, e.message) : localReply(e.status, e.status === 404 ? "" : e.message, extra);
    }
    if (e instanceof BodyTooLarge) return localReply(413, e.message);
    // A bug, not a network condition: answer 500 and keep serving.
    console.error("skein proxy: unexpected error", e);
    return localReply(500, "internal error in skein proxy");
  }
}

/** The SPIFFE ID of the endpoint's service account, as the cluster's expected server identities spell it. */
function serverPrincipal(cluster: Pick<Cluster, "tls" | "service">, endpoint: Pick<Endpoint, "serviceAccount" | "namespace">): string | undefined {
  if (!endpoint.serviceAccount) return undefined;
  const suffix = `/ns/${endpoint.namespace ?? cluster.service.namespace}/sa/${endpoint.serviceAccount}`;
  return cluster.tls.expectedSpiffeIds.find((id) => id.endsWith(suffix));
}

const ignore = (): void => undefined;

/** HTTP/1.1 connections' abort signals, made at their first request. */
const connectionSignals = new WeakMap<Socket, AbortSignal>();

/**
 * Aborted when the downstream goes away before the response is complete. An HTTP/1.1
 * connection carries its requests one after another and losing it loses all of them, so
 * one controller and one close listener serve the whole connection rather than each
 * request (measured: a controller and a listener per request were ~4% of the client
 * sidecar's CPU). An HTTP/2 stream can go alone, so it gets its own.
 */
function downstreamSignal(req: DownstreamRequest, res: DownstreamResponse): AbortSignal {
  if ("stream" in res) {
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) controller.abort(new DownstreamConnectionTermination());
    };
    res.once("close", onClose);
    res.once("finish", () => res.off("close", onClose));
    return controller.signal;
  }
  const socket = req.socket as Socket;
  let signal = connectionSignals.get(socket);
  if (signal === undefined) {
    const controller = new AbortController();
    signal = controller.signal;
    connectionSignals.set(socket, signal);
    socket.once("close", () => controller.abort(new DownstreamConnectionTermination()));
  }
  return signal;
}

/** The service and path a request names: the Host header, or a proxy-style absolute URL (HTTP_PROXY). */
function target(req: IncomingMessage): { authority: string; path: string } {
  const path = req.url ?? "/";
  if (/^https?:\/\//i.test(path)) {
    const url = new URL(path);
    return { authority: url.host, path: `${url.pathname}${url.search}` };
  }
  return { authority: req.headers.host ?? "", path };
}
