import type { Rng, TimerFactory } from "../../clock.ts";
import { MeshError, UpstreamTimeout } from "../../response-flags.ts";
import { RetryState, type AttemptOutcome } from "../../upstream/retry-state.ts";
import { parseGrpcStatus } from "../../upstream/grpc-status.ts";
import { Readable } from "node:stream";
import { firstHeader, type Layer, type ProxyResponse } from "../exchange.ts";
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
    const overall = req.signal;
    try {
      for (;;) {
        req.attempt = state.attemptCount;
        const perTry = policy.perTryTimeoutMs ? new AbortController() : undefined;
        let timer: { cancel(): void } | undefined;
        let onOverall: (() => void) | undefined;
        if (perTry) {
          onOverall = () => perTry.abort(overall.reason);
          overall.addEventListener("abort", onOverall, { once: true });
          timer = timers.setTimeout(() => perTry.abort(new AttemptFailure(new UpstreamTimeout(), "timeout", true)), policy.perTryTimeoutMs!);
          req.signal = perTry.signal;
        }
        let outcome: AttemptOutcome;
        let res: ProxyResponse | undefined;
        let failure: MeshError | undefined;
        try {
          res = await inner(req);
          outcome = { status: res.status, grpcStatus: parseGrpcStatus(firstHeader(res.headers, "grpc-status")), headers: res.headers };
        } catch (e) {
          if (!(e instanceof AttemptFailure)) throw e; // overall timeout, downstream gone, overflow
          failure = e.error;
          outcome =
            e.outcome === "connect-failure"
              ? { connectFailure: true, requestSent: false }
              : e.outcome === "timeout"
                ? { timeout: true, requestSent: true }
                : { resetBeforeResponse: true, requestSent: e.requestSent };
        } finally {
          timer?.cancel();
          if (onOverall) overall.removeEventListener("abort", onOverall);
          req.signal = overall;
        }
        const decision = outcome.timeout ? state.onPerTryTimeout(true) : state.shouldRetry(outcome);
        if (decision.retry) {
          if (res) dropAttempt(res);
          onRetry(cluster.cluster.name);
          await sleep(decision.backoffMs, timers, overall);
          continue;
        }
        if ("flags" in decision) {
          for (const f of decision.flags) req.flags.push(f);
          throw failure ?? new UpstreamTimeout();
        }
        if ("flag" in decision) req.flags.push(decision.flag);
        if (res) return res;
        req.flags.push(failure!.flag);
        throw failure!;
      }
    } finally {
      state.release();
    }
  };
}

const ignore = (): void => undefined;

/**
 * Envoy resets the stream of an attempt it retries. undici's body emits an "aborted"
 * error when destroyed before its end, and nobody reads this body any more: without a
 * listener that error would be uncaught and take the sidecar down on every retry.
 */
function dropAttempt(res: ProxyResponse): void {
  const body = res.body;
  if (!(body instanceof Readable)) return;
  body.on("error", ignore);
  body.destroy();
}
