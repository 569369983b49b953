import { errors as undiciErrors } from "undici";
import { MeshError, UpstreamConnectionFailure, UpstreamConnectionTermination, UpstreamProtocolError, UpstreamRemoteReset, UpstreamTimeout } from "../response-flags.ts";
import type { TransportSecurity, UpstreamTransport } from "../cluster/transport.ts";
import { Http2ConnectFailure, Http2StreamReset, http2RequestHeaders, requestOverHttp2, upstreamHttpVersion } from "../http2-upstream.ts";
import { ConnectFailure, openConnection, upstreamConnect } from "../tcp-tunnel.ts";
import { upgradeOf, upgradeUpstream } from "../websocket.ts";
import type { Clock } from "../clock.ts";
import { PEER_METADATA_HEADER } from "../peer-metadata.ts";
import { dispatchRequest } from "./dispatch.ts";
import { HOP_BY_HOP, type Handler, type HeaderMap, type ProxyRequest, type ProxyResponse } from "./exchange.ts";

/** A failure that happened before response headers; the retry layer reads `outcome`. */
export class AttemptFailure extends Error {
  constructor(
    readonly error: MeshError,
    readonly outcome: "connect-failure" | "reset" | "timeout",
    readonly requestSent: boolean,
  ) {
    super(error.message, { cause: error });
  }
}

/**
 * The innermost handler: sends the request to the chosen host over a keep-alive pool and
 * hands back the response headers with the body still streaming.
 */
export function sendUpstream(transport: UpstreamTransport, clock: Clock, peerMetadata: string): Handler {
  return (req: ProxyRequest): Promise<ProxyResponse> => {
    const cluster = req.cluster!;
    const host = req.host!;
    const upgrade = upgradeOf(req);
    // An upgrade is an HTTP/1.1 mechanism: it takes the HTTP/1.1 pool whatever the cluster speaks.
    if (upgrade !== undefined) return sendUpgrade(transport, clock, peerMetadata, req, upgrade);
    if (upstreamHttpVersion(cluster.cluster.protocol, { http2: false, grpc: req.grpc }) === "http2") return sendHttp2(transport, clock, peerMetadata, req);
    const { dispatcher, security } = transport.dispatcherFor(cluster.cluster, host.endpoint);
    const headers = forwardedHeaders(req, security, peerMetadata);
    headers.host = req.authority;
    const started = clock.now();
    // maxRequestsPerConnection 1: this request closes its connection (see transport.ts).
    const reset = cluster.cluster.connectionPool.maxRequestsPerConnection === 1;
    return dispatchRequest(dispatcher, { method: req.method, path: req.path, headers, body: req.body, reset }, req.signal, {
      onHeaders: () => (req.upstreamServiceTimeMs = clock.now() - started),
      classify: (e) => classify(e, req.signal),
    });
  };
}

async function sendHttp2(transport: UpstreamTransport, clock: Clock, peerMetadata: string, req: ProxyRequest): Promise<ProxyResponse> {
  const { origin, security } = transport.http2For(req.cluster!.cluster, req.host!.endpoint);
  const headers = http2RequestHeaders(forwardedHeaders(req, security, peerMetadata), req.headers);
  const started = clock.now();
  try {
    const res = await requestOverHttp2(origin, { method: req.method, path: req.path, authority: req.authority, scheme: req.scheme, headers, body: req.body, signal: req.signal });
    req.upstreamServiceTimeMs = clock.now() - started;
    return res;
  } catch (e) {
    throw classify(e, req.signal);
  }
}

async function sendUpgrade(transport: UpstreamTransport, clock: Clock, peerMetadata: string, req: ProxyRequest, upgrade: string): Promise<ProxyResponse> {
  const { security, connect } = upstreamConnect(transport, req.cluster!.cluster, req.host!.endpoint);
  const headers = forwardedHeaders(req, security, peerMetadata);
  headers.host = req.authority;
  const started = clock.now();
  try {
    const socket = await openConnection(connect, req.signal);
    const res = await upgradeUpstream(socket, { method: req.method, path: req.path, headers, upgrade }, req.signal);
    req.upstreamServiceTimeMs = clock.now() - started;
    return res;
  } catch (e) {
    throw classify(e, req.signal);
  }
}

/** The request's headers as they go upstream: hop-by-hop ones dropped, attempt count and (to peers only) our metadata added. */
function forwardedHeaders(req: ProxyRequest, security: TransportSecurity, peerMetadata: string): HeaderMap {
  const headers: HeaderMap = {};
  for (const k in req.headers) if (!HOP_BY_HOP.has(k)) headers[k] = req.headers[k]!;
  headers["x-envoy-attempt-count"] = String(req.attempt);
  // Who we are travels only to peer sidecars, which trust it on mTLS alone.
  if (security === "mutual_tls") headers[PEER_METADATA_HEADER] = peerMetadata;
  else delete headers[PEER_METADATA_HEADER];
  return headers;
}

function classify(e: unknown, signal: AbortSignal): unknown {
  if (e instanceof AttemptFailure || e instanceof MeshError) return e;
  if (signal.aborted) return signal.reason ?? e;
  if (e instanceof Http2ConnectFailure || e instanceof ConnectFailure) return new AttemptFailure(new UpstreamConnectionFailure(undefined, { cause: e }), "connect-failure", false);
  if (e instanceof Http2StreamReset) {
    // Code 0: the connection went away under the stream (UC); otherwise the peer reset it (UR).
    // A refused stream was not processed, which is what reset-before-request retries.
    if (e.rstCode === 0) return new AttemptFailure(new UpstreamConnectionTermination(undefined, { cause: e }), "reset", true);
    return new AttemptFailure(new UpstreamRemoteReset(undefined, { cause: e }), "reset", !e.refused);
  }
  const code = (e as { code?: string }).code ?? "";
  const cause = (e as { cause?: { code?: string } }).cause?.code ?? "";
  if (e instanceof undiciErrors.ConnectTimeoutError || ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"].includes(code) || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || cause.startsWith("ERR_TLS")) {
    return new AttemptFailure(new UpstreamConnectionFailure(undefined, { cause: e }), "connect-failure", false);
  }
  if (e instanceof undiciErrors.HeadersTimeoutError) return new AttemptFailure(new UpstreamTimeout(undefined, { cause: e }), "timeout", true);
  if (e instanceof undiciErrors.SocketError || code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET") {
    return new AttemptFailure(new UpstreamConnectionTermination(undefined, { cause: e }), "reset", true);
  }
  if (code === "HPE_INVALID_CONSTANT" || code.startsWith("HPE_")) return new AttemptFailure(new UpstreamProtocolError(undefined, { cause: e }), "reset", true);
  return new AttemptFailure(new UpstreamRemoteReset(undefined, { cause: e }), "reset", true);
}
