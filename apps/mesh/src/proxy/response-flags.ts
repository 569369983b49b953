/**
 * Envoy response flags (%RESPONSE_FLAGS% / %RESPONSE_FLAGS_LONG% in the access log,
 * Istio's `response_flags` metric label) with their long names, in Envoy's order
 * (source/common/stream_info/utility.h CORE_RESPONSE_FLAGS): Envoy prints the set flags
 * in this order joined by ",", and "-" when none is set (its own test expects "UT,DI,FI"
 * for timeout + delay + fault). Keeping the order makes our `response_flags` label
 * values identical to a real sidecar's, so dashboards and Kiali group them alike.
 * https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#config-access-log-format-response-flags
 */
export const RESPONSE_FLAG_NAMES = {
  LH: "FailedLocalHealthCheck",
  UH: "NoHealthyUpstream",
  UT: "UpstreamRequestTimeout",
  LR: "LocalReset",
  UR: "UpstreamRemoteReset",
  UF: "UpstreamConnectionFailure",
  UC: "UpstreamConnectionTermination",
  UO: "UpstreamOverflow",
  NR: "NoRouteFound",
  DI: "DelayInjected",
  FI: "FaultInjected",
  RL: "RateLimited",
  UAEX: "UnauthorizedExternalService",
  RLSE: "RateLimitServiceError",
  DC: "DownstreamConnectionTermination",
  URX: "UpstreamRetryLimitExceeded",
  SI: "StreamIdleTimeout",
  IH: "InvalidEnvoyRequestHeaders",
  DPE: "DownstreamProtocolError",
  UMSDR: "UpstreamMaxStreamDurationReached",
  RFCF: "ResponseFromCacheFilter",
  NFCF: "NoFilterConfigFound",
  DT: "DurationTimeout",
  UPE: "UpstreamProtocolError",
  NC: "NoClusterFound",
  OM: "OverloadManagerTerminated",
  DF: "DnsResolutionFailed",
  DO: "DropOverload",
  DR: "DownstreamRemoteReset",
  UDO: "UnconditionalDropOverload",
} as const;

export type ResponseFlag = keyof typeof RESPONSE_FLAG_NAMES;
export type ResponseFlagLongName = (typeof RESPONSE_FLAG_NAMES)[ResponseFlag];

/** Envoy's print order. */
export const RESPONSE_FLAGS = Object.keys(RESPONSE_FLAG_NAMES) as readonly ResponseFlag[];

const rank = new Map<string, number>(RESPONSE_FLAGS.map((f, i) => [f, i]));

export function isResponseFlag(s: string): s is ResponseFlag {
  return rank.has(s);
}

/** What Envoy prints when no flag is set. */
export const NO_RESPONSE_FLAGS = "-";

// Array.isArray narrows to any[]; this keeps the element type for the fast path.
const isArray = Array.isArray as (flags: Iterable<ResponseFlag>) => flags is readonly ResponseFlag[];

/**
 * `%RESPONSE_FLAGS%` (short) or `%RESPONSE_FLAGS_LONG%` for a set of flags; duplicates
 * are printed once, as Envoy's bit set would. It runs once per request for the metric
 * label and the access log, so the common cases (no flag, one flag) in an array allocate
 * nothing.
 */
export function formatResponseFlags(flags: Iterable<ResponseFlag> | undefined, long = false): string {
  if (flags === undefined) return NO_RESPONSE_FLAGS;
  if (isArray(flags)) {
    if (flags.length === 0) return NO_RESPONSE_FLAGS;
    if (flags.length === 1) return long ? RESPONSE_FLAG_NAMES[flags[0]!] : flags[0]!;
  }
  const unique = [...new Set(flags)];
  if (unique.length === 0) return NO_RESPONSE_FLAGS;
  unique.sort((a, b) => rank.get(a)! - rank.get(b)!);
  return (long ? unique.map((f) => RESPONSE_FLAG_NAMES[f]) : unique).join(",");
}

// ---- typed errors -------------------------------------------------------------------

/**
 * A failure the sidecar answers itself, carrying the response flag it is logged with and
 * the status Envoy's local reply uses (0: no response can be sent, the downstream is gone).
 * Layers hand these to the handler instead of throwing strings (STYLE §4).
 */
export abstract class MeshError extends Error {
  abstract readonly flag: ResponseFlag;
  abstract readonly status: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Route or per-try timeout fired: 504 "upstream request timeout". */
export class UpstreamTimeout extends MeshError {
  readonly flag = "UT";
  readonly status = 504;
  constructor(message = "upstream request timeout", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No host to send to (all ejected with panic disabled, or no endpoints): 503. */
export class NoHealthyUpstream extends MeshError {
  readonly flag = "UH";
  readonly status = 503;
  constructor(message = "no healthy upstream", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A circuit breaker tripped (connection pool limits, retry overflow): 503. */
export class UpstreamOverflow extends MeshError {
  readonly flag = "UO";
  readonly status = 503;
  constructor(message = "upstream connect error or disconnect/reset before headers. reset reason: overflow", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No route matched the request: 404. */
export class NoRouteFound extends MeshError {
  readonly flag = "NR";
  readonly status = 404;
  constructor(message = "route not found", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The route names a cluster the snapshot does not have: 503. */
export class NoClusterFound extends MeshError {
  readonly flag = "NC";
  readonly status = 503;
  constructor(message = "cluster not found", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Connecting to the host failed (refused, connect timeout, TLS handshake): 503. */
export class UpstreamConnectionFailure extends MeshError {
  readonly flag = "UF";
  readonly status = 503;
  constructor(message = "upstream connect error or disconnect/reset before headers. reset reason: connection failure", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The client went away before the response was complete; nothing can be sent. */
export class DownstreamConnectionTermination extends MeshError {
  readonly flag = "DC";
  readonly status = 0;
  constructor(message = "downstream connection terminated", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The upstream connection closed before the response headers: 503. */
export class UpstreamConnectionTermination extends MeshError {
  readonly flag = "UC";
  readonly status = 503;
  constructor(message = "upstream connect error or disconnect/reset before headers. reset reason: connection termination", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The upstream reset the stream (HTTP/2 RST_STREAM) before the response headers: 503. */
export class UpstreamRemoteReset extends MeshError {
  readonly flag = "UR";
  readonly status = 503;
  constructor(message = "upstream connect error or disconnect/reset before headers. reset reason: remote reset", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The upstream answered with something that is not valid HTTP: 502. */
export class UpstreamProtocolError extends MeshError {
  readonly flag = "UPE";
  readonly status = 502;
  constructor(message = "upstream connect error or disconnect/reset before headers. reset reason: protocol error", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The client sent something that is not valid HTTP: 400. */
export class DownstreamProtocolError extends MeshError {
  readonly flag = "DPE";
  readonly status = 400;
  constructor(message = "downstream protocol error", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Retries ran out on a retriable failure. Envoy sets URX next to the last attempt's own
 * outcome; `lastError` is that outcome when it was a local failure (else the upstream
 * response is forwarded and this error only carries the flag).
 */
export class UpstreamRetryLimitExceeded extends MeshError {
  readonly flag = "URX";
  readonly status: number;
  constructor(
    readonly lastError?: MeshError,
    message = "upstream retry limit exceeded",
  ) {
    super(message, { cause: lastError });
    this.status = lastError?.status ?? 503;
  }
}
