import * as z from "zod";
import { Code } from "./codes.ts";
import { didYouMean, duration, int32, obj, report } from "./common.ts";


/**
 * Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on policy names, the set Istio accepts
 * in `retryOn` besides HTTP status codes.
 */
export const RETRY_ON_POLICIES = [
  "5xx",
  "gateway-error",
  "reset",
  "reset-before-request",
  "connect-failure",
  "retriable-4xx",
  "refused-stream",
  "retriable-status-codes",
  "retriable-headers",
  "envoy-ratelimited",
  "http3-post-connect-failure",
  "cancelled",
  "deadline-exceeded",
  "internal",
  "resource-exhausted",
  "unavailable",
] as const;

const POLICY_SET: ReadonlySet<string> = new Set(RETRY_ON_POLICIES);

/** Status codes Go's net/http names (http.StatusText), which is what Istio checks numbers against. */
const KNOWN_STATUS_CODES: ReadonlySet<number> = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401,
  402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428,
  429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** True if `policy` is an Envoy retry policy name or a known HTTP status code (Go's strconv.Atoi rules). */
export function isRetryOnPolicy(policy: string): boolean {
  if (POLICY_SET.has(policy)) return true;
  return /^[+-]?[0-9]+$/.test(policy) && KNOWN_STATUS_CODES.has(Number(policy));
}

/**
 * Istio's HTTPRetry. `attempts: 0` disables retries, so any other retry setting next to
 * it is a contradiction Istio rejects. Entries of `retryOn` are not trimmed, as in Istio.
 */
export const httpRetry = obj({
  attempts: int32.optional(),
  perTryTimeout: duration.optional(),
  retryOn: z.string().optional(),
  retryRemoteLocalities: z.boolean().optional(),
  retryIgnorePreviousHosts: z.boolean().optional(),
  backoff: duration.optional(),
}).superRefine((r, ctx) => {
  const attempts = r.attempts ?? 0;
  if (attempts < 0) report(ctx, Code.outOfRange, "attempts cannot be negative", ["attempts"]);
  if (attempts === 0 && (r.perTryTimeout !== undefined || (r.retryOn ?? "") !== "" || r.retryRemoteLocalities !== undefined)) {
    report(ctx, Code.invalidValue, "http retry policy configured when attempts are set to 0 (disabled)", ["attempts"]);
  }
  if (r.retryOn !== undefined && r.retryOn !== "") {
    for (const policy of r.retryOn.split(",")) {
      if (!isRetryOnPolicy(policy)) {
        report(ctx, Code.invalidRetryOn, `"${policy}" is not a valid retryOn policy${didYouMean(policy.trim(), RETRY_ON_POLICIES)}`, ["retryOn"]);
      }
    }
  }
});

export type HTTPRetry = z.infer<typeof httpRetry>;
