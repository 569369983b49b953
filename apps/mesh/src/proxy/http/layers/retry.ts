import type { Rng, TimerFactory, TimerHandle } from "../../clock.ts";
import { Http2StreamReset } from "../../http2-upstream.ts";
import { MeshError, UpstreamTimeout, type ResponseFlag } from "../../response-flags.ts";
import { effectivePerTryTimeoutMs, RetryState, type AttemptOutcome } from "../../upstream/retry-state.ts";
import { parseGrpcStatus } from "../../upstream/grpc-status.ts";
import { firstHeader, type Layer, type ProxyResponse } from "../exchange.ts";
import { discard, onResponseDone } from "../response-done.ts";
import { AttemptFailure } from "../send-upstream.ts";
import { sleep } from "./fault.ts";

export interface RetryStats {
  retries: number;
}

/**
 * Envoy's router retry loop: each attempt gets the per-try timeout; the retry state
 * decides from the outcome (retryOn), the attempt budget (URX when spent) and the
 * cluster's max_retries breaker (UO), and draws the jittered back-off.
 */
export function withRetry(rng: Rng, timers: TimerFactory, onRetry: (cluster: string) => void): Layer {
  return (inner) => async (req) => {
    const policy = req.route!.retry;
    const cluster = req.cluster!;
    const state = new RetryState(policy, rng, cluster.breakers);
    const perTryMs = effectivePerTryTimeoutMs(policy, req.route!.timeoutMs);
    const overall = req.signal;
    try {
      for (;;) {
        req.attempt = state.attemptCount;
        const perTry = perTryMs ? new PerTryTimeout(overall, perTryMs, timers, req.flags) : undefined;
        if (perTry) req.signal = perTry.signal;
        let outcome: AttemptOutcome;
        let res: ProxyResponse | undefined;
        let failure: MeshError | undefined;
        try {
          res = await inner(req);
          outcome = { status: res.status, grpcStatus: parseGrpcStatus(firstHeader(res.headers, "grpc-status")), headers: res.headers };
        } catch (e) {
          if (!(e instanceof AttemptFailure)) {
            perTry?.release();
            throw e; // overall timeout, downstream gone, overflow
          }
          failure = e.error;
          outcome =
            e.outcome === "connect-failure"
              ? { connectFailure: true, requestSent: false }
              : e.outcome === "timeout"
                ? { timeout: true, requestSent: true }
                : { resetBeforeResponse: true, requestSent: e.requestSent, refusedStream: isRefusedStream(failure) };
        } finally {
          req.signal = overall;
        }
        const decision = outcome.timeout ? state.onPerTryTimeout(true) : state.shouldRetry(outcome);
        if (res && !decision.retry && !("flags" in decision)) {
          if ("flag" in decision) req.flags.push(decision.flag);
          // The attempt's timeout keeps running while the body streams (see PerTryTimeout).
          perTry?.forwarded(res);
          return res;
        }
        perTry?.release();
        if (decision.retry) {
          if (res) discard(res);
          onRetry(cluster.cluster.name);
          await sleep(decision.backoffMs, timers, overall);
          continue;
        }
        if ("flags" in decision) {
          for (const f of decision.flags) req.flags.push(f);
          throw failure ?? new UpstreamTimeout();
        }
        if ("flag" in decision) req.flags.push(decision.flag);
        req.flags.push(failure!.flag);
        throw failure!;
      }
    } finally {
      state.release();
    }
  };
}

/**
 * One attempt's per-try timeout: the attempt's own abort signal, chained to the
 * request's (route timeout, downstream gone). Envoy's per_try_timeout has "the same
 * conditions" as the route timeout, so it runs until the response is complete, and the
 * chain must hold as long, or a route timeout could not cut a body still streaming.
 * https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto#envoy-v3-api-field-config-route-v3-retrypolicy-per-try-timeout
 */
class PerTryTimeout {
  private readonly controller = new AbortController();
  private readonly timer: TimerHandle;
  private headersForwarded = false;

  constructor(
    private readonly parent: AbortSignal,
    ms: number,
    timers: TimerFactory,
    private readonly flags: ResponseFlag[],
  ) {
    parent.addEventListener("abort", this.onParent, { once: true });
    this.timer = timers.setTimeout(this.fire, ms);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The attempt's response goes downstream: keep the timeout until its body is done. */
  forwarded(res: ProxyResponse): void {
    this.headersForwarded = true;
    onResponseDone(res, this.release);
  }

  readonly release = (): void => {
    this.timer.cancel();
    this.parent.removeEventListener("abort", this.onParent);
  };

  private readonly onParent = (): void => this.controller.abort(this.parent.reason);

  private readonly fire = (): void => {
    // Before headers this is a retriable reset; after, Envoy can only reset the stream,
    // which it still logs UT.
    if (this.headersForwarded) this.flags.push("UT");
    this.controller.abort(new AttemptFailure(new UpstreamTimeout(), "timeout", true));
  };
}

/** RST_STREAM REFUSED_STREAM from an HTTP/2 upstream: what retryOn refused-stream retries. */
function isRefusedStream(failure: MeshError): boolean {
  return failure.cause instanceof Http2StreamReset && failure.cause.refused;
}
