import { createHash } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { TLSSocket, createSecureContext, type SecureContext } from "node:tls";
import { Pool } from "undici";
import { evaluateAuthorization, principalFromSpiffeId, uriSanFromPeer, type MtlsMode, type ProxySnapshot } from "@skein/shared";
import type { IdentitySource } from "./identity.ts";
import { localReply, type HeaderMap, type ProxyResponse } from "./http/exchange.ts";
import { readBody, requestHeaders, writeResponse } from "./http/downstream.ts";
import { takePeerMetadata } from "./peer-metadata.ts";
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
  spiffeId?: string;
  certHash?: string;
}

const peers = new WeakMap<Socket, ConnectionPeer>();

/**
 * The inbound listener: accepts peer sidecars (mTLS) and, under PERMISSIVE, plaintext
 * callers on the same port, told apart by the first byte (a TLS handshake record is
 * 0x16). Enforces PeerAuthentication and AuthorizationPolicy, then forwards to the app
 * with the caller's identity in x-forwarded-client-cert.
 */
export class InboundListener {
  private readonly net: NetServer;
  private readonly http: HttpServer;
  private readonly app: Pool;
  private secureContext: SecureContext | undefined;

  constructor(
    private readonly state: () => InboundState,
    private readonly identity: IdentitySource,
    appPort: number,
    private readonly telemetry: RequestTelemetry,
    appHost = "127.0.0.1",
  ) {
    this.app = new Pool(`http://${appHost}:${appPort}`, { headersTimeout: 0, bodyTimeout: 0 });
    this.http = createHttpServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => void this.serve(req, res));
    this.net = createNetServer({ pauseOnConnect: false }, (socket) => this.accept(socket));
    this.refreshContext();
    identity.onRotate(() => this.refreshContext());
  }

  private refreshContext(): void {
    const c = this.identity.current();
    // New handshakes use the new certificate; established connections keep theirs.
    this.secureContext = c ? createSecureContext({ cert: c.certPem, key: c.keyPem, ca: c.rootPem }) : undefined;
  }

  async listen(port: number, host = "127.0.0.1"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.net.once("error", reject);
      this.net.listen(port, host, () => resolve());
    });
    return (this.net.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.net.close(() => resolve()));
    await this.app.close();
  }

  private mode(): MtlsMode {
    const { mtls } = this.state().snapshot.inbound;
    const port = this.state().snapshot.inbound.ports[0]?.targetPort;
    return (port !== undefined ? mtls.portLevel[port] : undefined) ?? mtls.mode;
  }

  private accept(socket: Socket): void {
    socket.once("error", () => socket.destroy());
    socket.once("readable", () => {
      const first: Buffer | null = socket.read(1);
      if (first === null) return socket.end();
      socket.unshift(first);
      const mode = this.mode();
      if (first[0] === TLS_HANDSHAKE && this.secureContext && mode !== "DISABLE") {
        const tls = new TLSSocket(socket, { isServer: true, secureContext: this.secureContext, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ["http/1.1"] });
        tls.once("error", () => tls.destroy());
        tls.once("secure", () => {
          const cert = tls.getPeerCertificate(false);
          peers.set(tls, { ...(uriSanFromPeer(cert) ? { spiffeId: uriSanFromPeer(cert)! } : {}), ...(cert.raw ? { certHash: createHash("sha256").update(cert.raw).digest("hex") } : {}) });
          this.http.emit("connection", tls);
        });
        return;
      }
      // STRICT refuses plaintext at the connection, as Envoy's listener has no plaintext chain.
      if (mode === "STRICT" || first[0] === TLS_HANDSHAKE) return socket.destroy();
      peers.set(socket, {});
      this.http.emit("connection", socket);
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { snapshot, table } = this.state();
    const peer = peers.get(req.socket as Socket) ?? {};
    const headers = requestHeaders(req);
    const metadata = peer.spiffeId ? takePeerMetadata(headers) : (delete headers["x-skein-peer-metadata"], undefined);
    const authority = String(req.headers.host ?? "");
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
        const up = await this.app.request({ method: (req.method ?? "GET") as "GET", path, headers: { ...headers, host: authority }, body });
        upstreamMs = performance.now() - t0;
        const out: HeaderMap = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined) out[k] = v;
        response = { status: up.statusCode, headers: out, body: up.body, trailers: () => (Object.keys(up.trailers).length > 0 ? (up.trailers as HeaderMap) : undefined) };
      } catch {
        flags.push("UF");
        response = localReply(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure");
      }
    }
    const written = await writeResponse(res, response);
    if (!written.complete) flags.push("DC");
    const vh = table.find(authority)?.vh;
    const serviceHost = vh?.name.replace(/:\d+$/, "") ?? authority.split(":")[0]!;
    const local = snapshot.workload;
    const peerInfo: PeerInfo = {
      direction: "inbound",
      ...(peer.spiffeId ? { principal: peer.spiffeId } : {}),
      ...(metadata ? { workload: metadata.workload, namespace: metadata.namespace, labels: metadata.labels } : {}),
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
        protocol: "HTTP/1.1",
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
}
