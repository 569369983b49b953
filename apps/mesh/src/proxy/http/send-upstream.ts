import { errors as undiciErrors } from "undici";
import { MeshError, UpstreamConnectionFailure, UpstreamConnectionTermination, UpstreamProtocolError, UpstreamRemoteReset, UpstreamTimeout } from "../response-flags.ts";
import type { UpstreamTransport } from "../cluster/transport.ts";
import type { Clock } from "../clock.ts";
import { PEER_METADATA_HEADER } from "../peer-metadata.ts";
import { HOP_BY_HOP, type Handler, type HeaderMap, type ProxyRequest } from "./exchange.ts";

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
  return async (req: ProxyRequest) => {
    const cluster = req.cluster!;
    const host = req.host!;
    const { dispatcher, security } = transport.dispatcherFor(cluster.cluster, host.endpoint);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    headers.host = req.authority;
    headers["x-envoy-attempt-count"] = String(req.attempt);
    // Who we are travels only to peer sidecars, which trust it on mTLS alone.
    if (security === "mutual_tls") headers[PEER_METADATA_HEADER] = peerMetadata;
    else delete headers[PEER_METADATA_HEADER];
    const started = clock.now();
    try {
      const res = await dispatcher.request({
        method: req.method as "GET",
        path: req.path,
        headers,
        body: req.body && req.body.length > 0 ? req.body : null,
        signal: req.signal,
        // Redirects and retries are ours to decide, not undici's.
        maxRedirections: 0,
      } as Parameters<typeof dispatcher.request>[0]);
      req.upstreamServiceTimeMs = clock.now() - started;
      const out: HeaderMap = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
      return { status: res.statusCode, headers: out, body: res.body, trailers: () => (Object.keys(res.trailers).length > 0 ? (res.trailers as HeaderMap) : undefined) };
    } catch (e) {
      throw classify(e, req.signal);
    }
  };
}

function classify(e: unknown, signal: AbortSignal): unknown {
  if (e instanceof AttemptFailure || e instanceof MeshError) return e;
  if (signal.aborted) return signal.reason ?? e;
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
