import type { OutlierDetection } from "@skein/shared";
import type { Clock, TimerFactory, TimerHandle } from "../clock.ts";
import type { EndpointState } from "./endpoint-state.ts";
import { grpcToHttpStatus } from "./grpc-status.ts";

/**
 * Passive outlier detection for one cluster, Envoy's outlier DetectorImpl
 * (source/common/upstream/outlier_detection_impl.cc) for the two detectors Istio
 * configures — consecutive 5xx and consecutive gateway failures — without local/external
 * error splitting (Istio leaves split_external_local_origin_errors off).
 * https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/outlier
 *
 * - Every result is charged as an HTTP status: a 5xx bumps the 5xx counter, a 502/503/504
 *   also the gateway counter, anything else resets both. Local failures count as Envoy's
 *   router charges them: connect failure or reset → 503, per-try/route timeout → 504.
 *   A counter reaching its threshold (0 disables) ejects the host at once.
 * - Ejection time = base_ejection_time × the host's multiplier, capped at
 *   max_ejection_time (Envoy's default: 300 s, or the base if larger). Each ejection
 *   raises the multiplier; each interval the host spends healthy after its return lowers
 *   it by one.
 * - max_ejection_percent: an ejection happens only if the ejected share including this
 *   host stays within the percentage (`100 × (active + 1) / hosts <= max`). With fewer
 *   hosts than 100 / max that forbids any ejection (10% of 5 hosts is 0). The field's doc
 *   used to promise "at least one host regardless of the value"; since envoy#27909 the
 *   limit is strict and the doc now reads "Will eject at least one host regardless of the
 *   value if always_eject_one_host is enabled" (envoy#34796), which Istio does not set.
 *   https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/outlier_detection.proto
 * - Ejected hosts return at the interval sweep, `tick(now)`, once their time is served.
 */

export type EjectionReason = "consecutive_5xx" | "consecutive_gateway_failure";

export type OutlierEvent =
  | {
      readonly type: "eject";
      readonly host: EndpointState;
      readonly reason: EjectionReason;
      readonly at: number;
      readonly ejectionTimeMs: number;
      readonly numEjections: number;
    }
  | { readonly type: "uneject"; readonly host: EndpointState; readonly at: number; readonly ejectedForMs: number }
  /** Detected but refused by max_ejection_percent (Envoy's ejections_overflow). */
  | { readonly type: "overflow"; readonly host: EndpointState; readonly reason: EjectionReason; readonly at: number };

/** How an attempt ended, as the outlier detector is charged with it. */
export type OutlierResult =
  | { readonly status: number; readonly grpcStatus?: number }
  | "connect-failure"
  | "reset"
  | "timeout"
  /** Refused by our own circuit breaker: says nothing about the host, ignored. */
  | "overflow";

export interface OutlierTrackerOptions {
  /** Envoy's max_ejection_time; Istio does not set it. Default: max(300 s, base). */
  maxEjectionTimeMs?: number;
  /** Envoy's always_eject_one_host; Istio does not set it. Default false. */
  alwaysEjectOneHost?: boolean;
  /** Called for every event, for metrics and the outlier event log. */
  onEvent?: (event: OutlierEvent) => void;
}

export const DEFAULT_MAX_EJECTION_TIME_MS = 300_000;

const NO_EVENTS: readonly OutlierEvent[] = Object.freeze([]);

export class OutlierTracker {
  private hosts: readonly EndpointState[] = [];
  private members = new Set<EndpointState>();
  private active = 0;
  private readonly maxEjectionTimeMs: number;

  constructor(
    readonly config: OutlierDetection,
    private readonly options: OutlierTrackerOptions = {},
  ) {
    this.maxEjectionTimeMs = options.maxEjectionTimeMs ?? Math.max(DEFAULT_MAX_EJECTION_TIME_MS, config.baseEjectionTimeMs);
  }

  /** The cluster's current hosts (Envoy's host_monitors_): call on every endpoint update. */
  setHosts(hosts: readonly EndpointState[]): void {
    this.hosts = hosts;
    this.members = new Set(hosts);
    this.active = 0;
    for (const h of hosts) if (h.ejected) this.active++;
  }

  /** Hosts currently ejected (Envoy's ejections_active gauge). */
  get ejectionsActive(): number {
    return this.active;
  }

  putResult(host: EndpointState, result: OutlierResult, now: number): readonly OutlierEvent[] {
    switch (result) {
      case "overflow":
        return NO_EVENTS;
      case "connect-failure":
      case "reset":
        return this.putHttpResponseCode(host, 503, now);
      case "timeout":
        return this.putHttpResponseCode(host, 504, now);
      default:
        // A gRPC status in the response headers is charged as its HTTP mapping.
        return this.putHttpResponseCode(host, result.grpcStatus !== undefined ? grpcToHttpStatus(result.grpcStatus) : result.status, now);
    }
  }

  /** Envoy's DetectorHostMonitorImpl::putHttpResponseCode. */
  putHttpResponseCode(host: EndpointState, status: number, now: number): readonly OutlierEvent[] {
    const o = host.outlier;
    if (status < 500 || status > 599) {
      o.consecutive5xx = 0;
      o.consecutiveGatewayFailure = 0;
      return NO_EVENTS;
    }
    let events = NO_EVENTS;
    if (status >= 502 && status <= 504) {
      // Equality, as Envoy: a host already ejected keeps counting past the threshold
      // and is not ejected twice; the counters restart on success or return.
      if (++o.consecutiveGatewayFailure === this.config.consecutiveGatewayErrors) {
        events = this.onConsecutiveError(host, "consecutive_gateway_failure", now);
      }
    } else {
      o.consecutiveGatewayFailure = 0;
    }
    if (++o.consecutive5xx === this.config.consecutive5xxErrors) {
      const more = this.onConsecutiveError(host, "consecutive_5xx", now);
      if (more.length > 0) events = events.length > 0 ? [...events, ...more] : more;
    }
    return events;
  }

  /**
   * The interval sweep (Envoy's onIntervalTimer): returns hosts whose ejection time is
   * served, then lowers the multiplier of hosts healthy for at least an interval.
   */
  tick(now: number): readonly OutlierEvent[] {
    let events: OutlierEvent[] | undefined;
    for (const host of this.hosts) {
      if (!host.ejected) continue;
      const o = host.outlier;
      const since = now - (o.lastEjectionTime ?? now);
      if (this.ejectionTimeMs(host) <= since) {
        host.ejected = false;
        this.active--;
        // Fresh counters so a few new errors near the old count do not re-eject at once.
        o.consecutive5xx = 0;
        o.consecutiveGatewayFailure = 0;
        o.lastUnejectionTime = now;
        (events ??= []).push(this.emit({ type: "uneject", host, at: now, ejectedForMs: since }));
      }
    }
    for (const host of this.hosts) {
      const o = host.outlier;
      if (host.ejected || o.lastUnejectionTime === undefined || o.ejectTimeBackoff === 0) continue;
      if (now - o.lastUnejectionTime >= this.config.intervalMs) o.ejectTimeBackoff--;
    }
    return events ?? NO_EVENTS;
  }

  /** How long the host's current (or next) ejection lasts. */
  ejectionTimeMs(host: EndpointState): number {
    return Math.min(this.config.baseEjectionTimeMs * host.outlier.ejectTimeBackoff, this.maxEjectionTimeMs);
  }

  private onConsecutiveError(host: EndpointState, reason: EjectionReason, now: number): readonly OutlierEvent[] {
    // A host that left the cluster, or is already out, is not ejected (again).
    if (!this.members.has(host) || host.ejected) return NO_EVENTS;
    const event = this.ejectHost(host, reason, now);
    // Reset the detecting counter even when the ejection overflowed, so the next bout of
    // errors is detected afresh rather than never (the check is for equality).
    if (reason === "consecutive_5xx") host.outlier.consecutive5xx = 0;
    else host.outlier.consecutiveGatewayFailure = 0;
    return [event];
  }

  private ejectHost(host: EndpointState, reason: EjectionReason, now: number): OutlierEvent {
    const maxPercent = Math.min(100, this.config.maxEjectionPercent);
    const ejectedPercent = (100 * (this.active + 1)) / this.hosts.length;
    let shouldEject = ejectedPercent <= maxPercent;
    if (this.options.alwaysEjectOneHost) shouldEject ||= this.active === 0;
    if (!shouldEject) return this.emit({ type: "overflow", host, reason, at: now });

    const o = host.outlier;
    host.ejected = true;
    this.active++;
    o.numEjections++;
    o.lastEjectionTime = now;
    const base = this.config.baseEjectionTimeMs;
    // Envoy stops growing the multiplier once base × multiplier passes the cap.
    if (o.ejectTimeBackoff * base < this.maxEjectionTimeMs + base) o.ejectTimeBackoff++;
    o.ejectionTimeMs = this.ejectionTimeMs(host);
    return this.emit({ type: "eject", host, reason, at: now, ejectionTimeMs: o.ejectionTimeMs, numEjections: o.numEjections });
  }

  private emit(event: OutlierEvent): OutlierEvent {
    this.options.onEvent?.(event);
    return event;
  }
}

/**
 * Runs the tracker's sweep every `interval` on the caller's timers, as Envoy re-arms its
 * interval timer after each sweep. Cancel it when the cluster goes away.
 */
export function scheduleOutlierSweeps(tracker: OutlierTracker, timers: TimerFactory, clock: Clock): TimerHandle {
  let handle: TimerHandle | undefined;
  let cancelled = false;
  const arm = (): void => {
    handle = timers.setTimeout(() => {
      if (cancelled) return;
      tracker.tick(clock.now());
      arm();
    }, tracker.config.intervalMs);
  };
  arm();
  return {
    cancel: () => {
      cancelled = true;
      handle?.cancel();
    },
  };
}
