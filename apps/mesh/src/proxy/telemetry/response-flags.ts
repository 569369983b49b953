/**
 * Envoy response flags (access-log `%RESPONSE_FLAGS%`, Istio's `response_flags` label).
 * The order is Envoy's ResponseFlagUtils::ALL_RESPONSE_STRINGS_FLAGS: Envoy prints the
 * set flags in that order, comma-joined, and "-" when none is set (its own test expects
 * "UT,DI,FI" for timeout + delay + fault). Keeping the order makes our `response_flags`
 * label values identical to a real sidecar's, so dashboards and Kiali group them alike.
 */
export const RESPONSE_FLAGS = [
  "LH", // FailedLocalHealthCheck
  "UH", // NoHealthyUpstream
  "UT", // UpstreamRequestTimeout
  "LR", // LocalReset
  "UR", // UpstreamRemoteReset
  "UF", // UpstreamConnectionFailure
  "UC", // UpstreamConnectionTermination
  "UO", // UpstreamOverflow
  "NR", // NoRouteFound
  "DI", // DelayInjected
  "FI", // FaultInjected
  "RL", // RateLimited
  "UAEX", // UnauthorizedExternalService
  "RLSE", // RateLimitServiceError
  "DC", // DownstreamConnectionTermination
  "URX", // UpstreamRetryLimitExceeded
  "SI", // StreamIdleTimeout
  "IH", // InvalidEnvoyRequestHeaders
  "DPE", // DownstreamProtocolError
  "UMSDR", // UpstreamMaxStreamDurationReached
  "RFCF", // ResponseFromCacheFilter
  "NFCF", // NoFilterConfigFound
  "DT", // DurationTimeout
  "UPE", // UpstreamProtocolError
  "NC", // NoClusterFound
  "OM", // OverloadManager
  "DF", // DnsResolutionFailed
  "DO", // DropOverload
  "DR", // DownstreamRemoteReset
  "UDO", // UnconditionalDropOverload
] as const;

export type ResponseFlag = (typeof RESPONSE_FLAGS)[number];

/** What Envoy prints when no flag is set. */
export const NO_RESPONSE_FLAGS = "-";

const rank = new Map<string, number>(RESPONSE_FLAGS.map((f, i) => [f, i]));

/**
 * Envoy's short string for a set of flags. The common cases (none, one) allocate
 * nothing; duplicates are printed once, as a bit set would.
 */
export function formatResponseFlags(flags: readonly ResponseFlag[] | undefined): string {
  if (!flags || flags.length === 0) return NO_RESPONSE_FLAGS;
  if (flags.length === 1) return flags[0]!;
  const sorted = [...new Set(flags)].sort((a, b) => rank.get(a)! - rank.get(b)!);
  return sorted.join(",");
}
