import type { ConnectionPool } from "@skein/shared";

/**
 * Circuit breaking for one cluster: Envoy's per-cluster ResourceManager
 * (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking,
 * source/common/upstream/resource_manager_impl.h), configured the way Istio maps a
 * DestinationRule connectionPool (pilot cluster_traffic_policy.go applyConnectionPool):
 *
 * | Istio                       | Envoy threshold              | verdict when full                      |
 * | tcp.maxConnections          | max_connections              | do not open: queue (TCP proxy: 503 UO) |
 * | http.http1MaxPendingRequests| max_pending_requests         | 503 UO                                 |
 * | http.http2MaxRequests       | max_requests                 | 503 UO                                 |
 * | http.maxRetries             | max_retries (concurrent)     | no retry; the response keeps flag UO   |
 * | http.maxRequestsPerConnection | max_requests_per_connection | close the connection after N requests  |
 *
 * Istio leaves a limit at its default when the field is 0 or unset, and its defaults are
 * 2^32-1 for all four thresholds ("effectively unlimited"; Envoy's own default of 3
 * retries caused 503s during rollouts). maxRequestsPerConnection 0 means unlimited.
 * Checks are "can create" then "inc", as Envoy's `canCreate()`/`inc()`: a limit of N
 * admits N at once.
 */

/** What Istio writes for "no limit" (max uint32). */
export const ISTIO_UNLIMITED = 4294967295;

export type UpstreamVerdict = { readonly ok: true } | { readonly ok: false; readonly flag: "UO" };

/** Shared frozen verdicts: the request path allocates nothing to learn its answer. */
export const ADMITTED: UpstreamVerdict = Object.freeze({ ok: true });
export const OVERFLOW: UpstreamVerdict = Object.freeze({ ok: false, flag: "UO" });

export interface CircuitBreakerLimits {
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
  /** 0: unlimited. */
  maxRequestsPerConnection: number;
}

const limit = (n: number | undefined): number => (n !== undefined && Number.isFinite(n) && n > 0 ? Math.floor(n) : ISTIO_UNLIMITED);

export function circuitBreakerLimits(pool: Partial<ConnectionPool> | undefined): CircuitBreakerLimits {
  const perConnection = pool?.maxRequestsPerConnection;
  return {
    maxConnections: limit(pool?.maxConnections),
    maxPendingRequests: limit(pool?.http1MaxPendingRequests),
    maxRequests: limit(pool?.http2MaxRequests),
    maxRetries: limit(pool?.maxRetries),
    maxRequestsPerConnection: perConnection !== undefined && Number.isFinite(perConnection) && perConnection > 0 ? Math.floor(perConnection) : 0,
  };
}

/** Gauges Envoy exports per cluster (`circuit_breakers.default.*` with track_remaining). */
export interface CircuitBreakerStats {
  connections: number;
  pendingRequests: number;
  activeRequests: number;
  activeRetries: number;
  remainingConnections: number;
  remainingPendingRequests: number;
  remainingRequests: number;
  remainingRetries: number;
}

export class CircuitBreakers {
  readonly limits: CircuitBreakerLimits;
  private connections = 0;
  private pending = 0;
  private requests = 0;
  private retries = 0;
  /** Overflow counts, Envoy's upstream_cx_overflow / upstream_rq_pending_overflow / upstream_rq_retry_overflow. */
  readonly overflows = { connections: 0, pendingRequests: 0, requests: 0, retries: 0 };

  constructor(pool?: Partial<ConnectionPool>) {
    this.limits = circuitBreakerLimits(pool);
  }

  /** An upstream request is about to be sent (counts towards max_requests until `endRequest`). */
  startRequest(): UpstreamVerdict {
    if (this.requests >= this.limits.maxRequests) {
      this.overflows.requests++;
      return OVERFLOW;
    }
    this.requests++;
    return ADMITTED;
  }

  endRequest(): void {
    // Never below zero: a double release must not loosen the limit.
    if (this.requests > 0) this.requests--;
  }

  /** A request waits for a connection (counts towards max_pending_requests until `dequeueRequest`). */
  queueRequest(): UpstreamVerdict {
    if (this.pending >= this.limits.maxPendingRequests) {
      this.overflows.pendingRequests++;
      return OVERFLOW;
    }
    this.pending++;
    return ADMITTED;
  }

  dequeueRequest(): void {
    if (this.pending > 0) this.pending--;
  }
  /**
   * For callers that derive the queue from what is in flight (the HTTP layer): `waiting`
   * requests already wait for a connection; may one more? Counts the overflow as
   * queueRequest does.
   */
  admitWaiting(waiting: number): UpstreamVerdict {
    if (waiting >= 0 && waiting >= this.limits.maxPendingRequests) {
      this.overflows.pendingRequests++;
      return OVERFLOW;
    }
    return ADMITTED;
  }


  /** A retry is scheduled (counts towards max_retries until `endRetry`, Envoy's retries().inc()). */
  startRetry(): UpstreamVerdict {
    if (this.retries >= this.limits.maxRetries) {
      this.overflows.retries++;
      return OVERFLOW;
    }
    this.retries++;
    return ADMITTED;
  }

  endRetry(): void {
    if (this.retries > 0) this.retries--;
  }

  /**
   * A new upstream connection may be opened. When full, HTTP callers queue the request
   * (`queueRequest`) for an existing connection; the TCP proxy answers UO.
   */
  openConnection(): UpstreamVerdict {
    if (this.connections >= this.limits.maxConnections) {
      this.overflows.connections++;
      return OVERFLOW;
    }
    this.connections++;
    return ADMITTED;
  }

  closeConnection(): void {
    if (this.connections > 0) this.connections--;
  }

  /** Whether a connection that has served `served` requests may take another one. */
  connectionReusable(served: number): boolean {
    const max = this.limits.maxRequestsPerConnection;
    return max === 0 || served < max;
  }

  stats(): CircuitBreakerStats {
    const l = this.limits;
    return {
      connections: this.connections,
      pendingRequests: this.pending,
      activeRequests: this.requests,
      activeRetries: this.retries,
      remainingConnections: l.maxConnections - this.connections,
      remainingPendingRequests: l.maxPendingRequests - this.pending,
      remainingRequests: l.maxRequests - this.requests,
      remainingRetries: l.maxRetries - this.retries,
    };
  }
}
