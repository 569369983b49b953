import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DownstreamConnectionTermination, MeshError } from "./response-flags.ts";
import { localReply, type Handler, type ProxyRequest, type ProxyResponse } from "./http/exchange.ts";
import { BodyTooLarge, readBody, requestHeaders, writeResponse, type DownstreamRequest, type DownstreamResponse } from "./http/downstream.ts";
import { outboundPeer } from "./telemetry/istio-labels.ts";
import { parseGrpcStatus } from "./upstream/grpc-status.ts";
import type { RequestTelemetry } from "./request-telemetry.ts";

/**
 * The outbound listener: the app sends plain HTTP here, naming the service in the Host
 * header or as an absolute URL (so HTTP_PROXY=http://127.0.0.1:<port> works).
 */
export class OutboundListener {
  readonly server: Server;

  constructor(
    private readonly handler: Handler,
    private readonly telemetry: RequestTelemetry,
  ) {
    this.server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 60_000;
  }

  async listen(port: number, host = "127.0.0.1"): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeIdleConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: DownstreamRequest, res: DownstreamResponse): Promise<void> {
    const headers = requestHeaders(req);
    let authority = (req.headers.host ?? req.headers[":authority"] ?? "") as string;
    let path = req.url ?? "/";
    // Proxy-style absolute URL (HTTP_PROXY): the URL names the service.
    if (/^https?:\/\//i.test(path)) {
      const url = new URL(path);
      authority = url.host;
      path = `${url.pathname}${url.search}`;
    }
    const started = this.telemetry.begin(headers);
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) controller.abort(new DownstreamConnectionTermination());
    };
    res.once("close", onClose);
    const request: ProxyRequest = {
      method: req.method ?? "GET",
      path,
      authority,
      scheme: "http",
      headers,
      body: null,
      grpc: String(headers["content-type"] ?? "").startsWith("application/grpc"),
      signal: controller.signal,
      port: 0,
      flags: [],
      attempt: 1,
    };
    let requestBytes = 0;
    let response: ProxyResponse;
    try {
      request.body = await readBody(req);
      requestBytes = request.body?.length ?? 0;
      response = await this.handler(request);
    } catch (e) {
      response = this.localReplyFor(e, request);
    }
    if (request.upstreamServiceTimeMs !== undefined) response.headers["x-envoy-upstream-service-time"] = String(Math.round(request.upstreamServiceTimeMs));
    const written = res.destroyed ? { bytes: 0, complete: false } : await writeResponse(res, response);
    res.off("close", onClose);
    if (!written.complete && !request.flags.includes("DC") && controller.signal.aborted) request.flags.push("DC");
    const cluster = request.cluster?.cluster;
    const peer = cluster ? outboundPeer(cluster, request.host?.endpoint) : { direction: "outbound" as const, service: { host: authority, name: authority.split(":")[0]! } };
    const trailers = response.trailers?.();
    const grpcStatus = parseGrpcStatus(String(trailers?.["grpc-status"] ?? response.headers["grpc-status"] ?? "")) ;
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
        ...(request.grpc && grpcStatus !== undefined ? { grpcStatus } : {}),
        flags: request.flags,
        requestBytes,
        responseBytes: written.bytes,
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

  private localReplyFor(e: unknown, request: ProxyRequest): ProxyResponse {
    if (e instanceof MeshError) {
      if (!request.flags.includes(e.flag)) request.flags.push(e.flag);
      return e.status === 0 ? localReply(503, e.message) : localReply(e.status, e.status === 404 ? "" : e.message);
    }
    if (e instanceof BodyTooLarge) return localReply(413, e.message);
    // A bug, not a network condition: answer 500 and keep serving.
    console.error("skein proxy: unexpected error", e);
    return localReply(500, "internal error in skein proxy");
  }
}
