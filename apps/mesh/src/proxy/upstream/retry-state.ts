import type { RetryPolicy } from "@skein/shared";
import { randomUint32, type Rng } from "../clock.ts";
import type { UpstreamVerdict } from "./connection-pool.ts";
import type { EndpointState } from "./endpoint-state.ts";
import type { ResponseFlag } from "../response-flags.ts";

/**
 * Envoy's router retry state (source/common/router/retry_state_impl.cc), without timers:
 * it answers "retry, after how long" and the caller arms the back-off with its
 * TimerFactory. Retry conditions:
 * https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-retry-on
 * and the gRPC ones: …#x-envoy-retry-grpc-on.
 */

const bit = {
  "5xx": 1 << 0,
  "gateway-error": 1 << 1,
  "connect-failure": 1 << 2,
  "retriable-4xx": 1 << 3,
  "refused-stream": 1 << 4,
  "retriable-status-codes": 1 << 5,
  "retriable-headers": 1 << 6,
  reset: 1 << 7,
  "reset-before-request": 1 << 8,
  "envoy-ratelimited": 1 << 9,
  "http3-post-connect-failure": 1 << 10,
  cancelled: 1 << 11,
  "deadline-exceeded": 1 << 12,
  internal: 1 << 13,
  "resource-exhausted": 1 << 14,
  unavailable: 1 << 15,
} as const;

export type RetryOn = keyof typeof bit;
export const RETRY_ON_VALUES = Object.keys(bit) as readonly RetryOn[];

/** gRPC retry-on names → grpc-status codes (x-envoy-retry-grpc-on). */
const GRPC_RETRY_ON: readonly [number, number][] = [
  [1, bit.cancelled],
  [4, bit["deadline-exceeded"]],
  [8, bit["resource-exhausted"]],
  [13, bit.internal],
  [14, bit.unavailable],
];
const GRPC_BITS = GRPC_RETRY_ON.reduce((a, [, b]) => a | b, 0);

/** Envoy's defaults when the route sets no retry back-off: 25 ms base, 10 × base max. */
export const DEFAULT_BACKOFF_BASE_MS = 25;

export interface CompiledRetryOn {
  bits: number;
  retriableStatusCodes: ReadonlySet<number>;
  /** Names Envoy would not recognize (it ignores them too). */
  unknown: readonly string[];
}

const compiled = new WeakMap<RetryPolicy, CompiledRetryOn>();

/** Parses a route's retryOn once; the result is cached on the policy object. */
export function compileRetryOn(policy: RetryPolicy): CompiledRetryOn {
  const hit = compiled.get(policy);
  if (hit) return hit;
  let bits = 0;
  const codes = new Set(policy.retriableStatusCodes);
  const unknown: string[] = [];
  for (const raw of policy.retryOn) {
    const name = raw.trim();
    if (name in bit) bits |= bit[name as RetryOn];
    else if (/^\d{3}$/.test(name)) {
      // Istio turns numeric retryOn entries into retriable_status_codes.
      codes.add(Number(name));
      bits |= bit["retriable-status-codes"];
    } else if (name !== "") unknown.push(name);
  }
  const out = { bits, retriableStatusCodes: codes, unknown };
  compiled.set(policy, out);
  return out;
}

/** What one attempt ended with. Either a response (`status`) or a failure before one. */
export interface AttemptOutcome {
  /** Response status, when response headers arrived. */
  status?: number;
  /** grpc-status from the response headers (trailers-only responses); Envoy ignores trailers here. */
  grpcStatus?: number;
  /** Response headers (lower-case names), for x-envoy-ratelimited and retriable-headers. */
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The stream was reset or the connection dropped before response headers. */
  resetBeforeResponse?: boolean;
  /** Bytes of the request reached the upstream before the reset (reset-before-request). */
  requestSent?: boolean;
  /** Connecting failed: refused, connect timeout, TLS handshake. */
  connectFailure?: boolean;
  /** HTTP/2 REFUSED_STREAM from the upstream. */
  refusedStream?: boolean;
  /** The per-try timeout fired. */
  timeout?: boolean;
  http3?: boolean;
  /** Reset by our own circuit breaker: never retried. */
  overflow?: boolean;
}

export type WouldRetry = "no" | "backoff" | "immediate";

export type RetryDecision =
  | { readonly retry: true; readonly backoffMs: number; readonly retryNumber: number }
  | { readonly retry: false; readonly reason: "not-retriable" }
  | { readonly retry: false; readonly reason: "limit-exceeded"; readonly flag: "URX" }
  | { readonly retry: false; readonly reason: "overflow"; readonly flag: "UO" };

/** What to do when the per-try timeout fires. */
export type PerTryTimeoutDecision =
  | { readonly retry: true; readonly backoffMs: number; readonly retryNumber: number }
  | { readonly retry: false; readonly status: 504; readonly flags: readonly ResponseFlag[] };

/** The cluster's max_retries breaker; CircuitBreakers fits. */
export interface RetryBudget {
  startRetry(): UpstreamVerdict;
  endRetry(): void;
}

export interface RetryStateOptions {
  /** Response header names that make an attempt retriable under `retriable-headers`. */
  retriableHeaderNames?: readonly string[];
}

const NOT_RETRIABLE: RetryDecision = Object.freeze({ retry: false, reason: "not-retriable" });
const LIMIT_EXCEEDED: RetryDecision = Object.freeze({ retry: false, reason: "limit-exceeded", flag: "URX" });
const RETRY_OVERFLOW: RetryDecision = Object.freeze({ retry: false, reason: "overflow", flag: "UO" });

/** One per downstream request that has a retry policy. */
export class RetryState {
  private readonly on: CompiledRetryOn;
  private retriesRemaining: number;
  private retriesStarted = 0;
  private holdsRetry = false;
  private nextIntervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly attempted = new Set<EndpointState>();
  private readonly headerNames: readonly string[];

  constructor(
    private readonly policy: RetryPolicy,
    private readonly rng: Rng,
    private readonly budget?: RetryBudget,
    options: RetryStateOptions = {},
  ) {
    this.on = compileRetryOn(policy);
    // Istio writes no retry policy at all for attempts 0: nothing is retried, no URX.
    this.retriesRemaining = policy.attempts > 0 ? policy.attempts : 0;
    const base = policy.backoffBaseMs > 0 ? policy.backoffBaseMs : DEFAULT_BACKOFF_BASE_MS;
    this.nextIntervalMs = base;
    this.maxIntervalMs = Math.max(base, policy.backoffMaxMs > 0 ? policy.backoffMaxMs : base * 10);
    this.headerNames = (options.retriableHeaderNames ?? []).map((h) => h.toLowerCase());
  }

  /** Retries left in this request's budget of `attempts`. */
  get remaining(): number {
    return this.retriesRemaining;
  }

  /** `x-envoy-attempt-count` for the attempt about to be sent: 1 + retries started. */
  get attemptCount(): number {
    return 1 + this.retriesStarted;
  }

  /** Whether the outcome matches the route's retryOn (no budget involved). */
  wouldRetry(outcome: AttemptOutcome): WouldRetry {
    if (this.policy.attempts <= 0) return "no";
    const isReset = outcome.overflow || outcome.connectFailure || outcome.refusedStream || outcome.timeout || outcome.resetBeforeResponse;
    if (isReset) return this.wouldRetryFromReset(outcome);
    if (outcome.status !== undefined || outcome.grpcStatus !== undefined) return this.wouldRetryFromHeaders(outcome);
    return "no";
  }

  /**
   * Envoy's shouldRetry: releases the retry held by the previous attempt, then checks
   * the condition, the attempt budget (URX when spent) and the cluster's max_retries
   * breaker (UO when full; the attempt still counts), and draws the back-off.
   */
  shouldRetry(outcome: AttemptOutcome): RetryDecision {
    this.releaseHeldRetry();
    const would = this.wouldRetry(outcome);
    if (would === "no") return NOT_RETRIABLE;
    if (this.retriesRemaining === 0) return LIMIT_EXCEEDED;
    this.retriesRemaining--;
    if (this.budget) {
      if (!this.budget.startRetry().ok) return RETRY_OVERFLOW;
      this.holdsRetry = true;
    }
    this.retriesStarted++;
    const backoffMs = would === "immediate" ? 0 : this.nextBackoffMs();
    return { retry: true, backoffMs, retryNumber: this.retriesStarted };
  }

  /**
   * The per-try timeout fired: Envoy resets the attempt and treats it as a reset that
   * may be retried (5xx, gateway-error, reset); otherwise it answers 504 with UT, plus
   * URX or UO when the retry was refused for budget (router.cc onPerTryTimeoutCommon).
   */
  onPerTryTimeout(requestSent = true): PerTryTimeoutDecision {
    const d = this.shouldRetry({ timeout: true, requestSent });
    if (d.retry) return d;
    return { retry: false, status: 504, flags: "flag" in d ? ["UT", d.flag] : ["UT"] };
  }

  /** The request is over (response forwarded or given up): return the held retry to the breaker. */
  release(): void {
    this.releaseHeldRetry();
  }

  /** Istio's default `previous_hosts` retry host predicate: remember each host tried. */
  onHostAttempted(host: EndpointState): void {
    this.attempted.add(host);
  }

  /** For the load balancer's PickContext: true for a host this request already tried. */
  readonly shouldSelectAnotherHost = (host: EndpointState): boolean => this.attempted.has(host);

  /**
   * Fully jittered exponential back-off, Envoy's JitteredExponentialBackOffStrategy
   * (source/common/common/backoff_strategy.cc): the n-th retry waits
   * `random() % min(base × 2^(n-1), max)` ms — with the defaults [0,25), [0,50), [0,100),
   * [0,200), then [0,250). The router docs
   * (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-max-retries)
   * still describe the older JitteredBackOffStrategy's [0, (2^N - 1) × base) ranges
   * (0-24, 0-74, 0-174 ms); the current code and its retry_state_impl_test, which expects
   * 15, 40, 90 ms for random() = 190, are what this follows.
   */
  private nextBackoffMs(): number {
    const backoff = this.nextIntervalMs;
    this.nextIntervalMs = backoff < Math.floor(this.maxIntervalMs / 2) ? backoff * 2 : this.maxIntervalMs;
    return Math.min(randomUint32(this.rng) % backoff, this.maxIntervalMs);
  }

  private releaseHeldRetry(): void {
    if (!this.holdsRetry) return;
    this.holdsRetry = false;
    this.budget?.endRetry();
  }

  private wouldRetryFromReset(o: AttemptOutcome): WouldRetry {
    const b = this.on.bits;
    // Our own overflow says nothing about the upstream: never retried.
    if (o.overflow) return "no";
    if (o.connectFailure) {
      if (b & bit["connect-failure"]) return "backoff";
    } else if (o.http3 && b & bit["http3-post-connect-failure"]) {
      return "immediate";
    }
    if (b & bit["reset-before-request"] && !o.requestSent) return "backoff";
    if (b & bit.reset) return "backoff";
    // A reset will become a 503/504, so 5xx and gateway-error cover it (and the per-try timeout).
    if (b & (bit["5xx"] | bit["gateway-error"])) return "backoff";
    if (b & bit["refused-stream"] && o.refusedStream) return "backoff";
    return "no";
  }

  private wouldRetryFromHeaders(o: AttemptOutcome): WouldRetry {
    const b = this.on.bits;
    const headers = o.headers;
    // x-envoy-ratelimited comes from an upstream Envoy; only envoy-ratelimited retries it.
    if (headers?.["x-envoy-ratelimited"] !== undefined) return b & bit["envoy-ratelimited"] ? "backoff" : "no";
    const status = o.status ?? 200;
    if (b & bit["5xx"] && status >= 500 && status <= 599) return "backoff";
    if (b & bit["gateway-error"] && (status === 502 || status === 503 || status === 504)) return "backoff";
    if (b & bit["retriable-4xx"] && status === 409) return "backoff";
    if (b & bit["retriable-status-codes"] && this.on.retriableStatusCodes.has(status)) return "backoff";
    if (b & bit["retriable-headers"] && headers) {
      for (const name of this.headerNames) if (headers[name] !== undefined) return "backoff";
    }
    if (b & GRPC_BITS && o.grpcStatus !== undefined) {
      for (const [code, flag] of GRPC_RETRY_ON) if (o.grpcStatus === code && b & flag) return "backoff";
    }
    return "no";
  }
}

/**
 * The per-try timeout to arm on each attempt: Envoy ignores a per-try timeout that is
 * not shorter than the route timeout (FilterUtility::finalTimeout), since the route
 * timeout, which covers all retries, would fire first anyway.
 */
export function effectivePerTryTimeoutMs(policy: Pick<RetryPolicy, "perTryTimeoutMs">, routeTimeoutMs: number | undefined): number | undefined {
  const perTry = policy.perTryTimeoutMs;
  if (perTry === undefined || perTry <= 0) return undefined;
  if (routeTimeoutMs !== undefined && routeTimeoutMs > 0 && perTry >= routeTimeoutMs) return undefined;
  return perTry;
}
