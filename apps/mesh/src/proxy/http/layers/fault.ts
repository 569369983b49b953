import { GRPC_STATUS_CODES, type Route } from "@skein/shared";
import type { Rng, TimerFactory } from "../../clock.ts";
import { localReply, type Handler, type Layer, type ProxyRequest, type ProxyResponse } from "../exchange.ts";


/**
 * Istio fault injection (Envoy's fault filter): a fixed delay for `percentage` of
 * requests (flag DI), then an abort for `percentage` of requests (flag FI) answered
 * locally with the status — for gRPC a 200 with grpc-status, as Envoy does.
 */
export function withFault(rng: Rng, timers: TimerFactory): Layer {
  // Not async itself: a route without a fault passes straight through, with no promise of its own.
  return (inner) => (req) => (req.route?.fault ? injected(inner, req, req.route.fault, rng, timers) : inner(req));
}

async function injected(inner: Handler, req: ProxyRequest, fault: NonNullable<Route["fault"]>, rng: Rng, timers: TimerFactory): Promise<ProxyResponse> {
  if (fault.delay && rng.next() * 100 < fault.delay.percentage) {
    req.flags.push("DI");
    await sleep(fault.delay.fixedDelayMs, timers, req.signal);
  }
  const abort = fault.abort;
  if (abort && rng.next() * 100 < abort.percentage) {
    req.flags.push("FI");
    if (abort.grpcStatus !== undefined) {
      // The canonical list is in code order, so a name's index is its number (UNKNOWN = 2 otherwise).
      const index = (GRPC_STATUS_CODES as readonly string[]).indexOf(abort.grpcStatus);
      const code = index >= 0 ? index : 2;
      return { status: 200, headers: { "content-type": "application/grpc", "grpc-status": String(code), "grpc-message": "fault filter abort" }, body: null };
    }
    return localReply(abort.httpStatus ?? 503, "fault filter abort");
  }
  return inner(req);
}

export function sleep(ms: number, timers: TimerFactory, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      handle.cancel();
      reject(signal.reason);
    };
    const handle = timers.setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
