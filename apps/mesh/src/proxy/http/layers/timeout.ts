import type { TimerFactory } from "../../clock.ts";
import { UpstreamTimeout } from "../../response-flags.ts";
import type { Handler, Layer, ProxyRequest, ProxyResponse } from "../exchange.ts";
import { onResponseDone } from "../response-done.ts";

/**
 * The route timeout: it covers every retry and runs until the response is complete
 * (Envoy's route timeout). Firing before headers answers 504 UT; firing while the body
 * streams cuts the stream, as Envoy resets it.
 */
export function withTimeout(timers: TimerFactory): Layer {
  // Not async itself: a route without a timeout passes straight through, with no promise of its own.
  return (inner) => (req) => {
    const ms = req.route?.timeoutMs;
    return ms ? timed(inner, req, ms, timers) : inner(req);
  };
}

async function timed(inner: Handler, req: ProxyRequest, ms: number, timers: TimerFactory): Promise<ProxyResponse> {
  const controller = new AbortController();
  const parent = req.signal;
  const onParent = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onParent, { once: true });
  // The flag is set when the timer fires, not when the error surfaces: once response
  // headers went downstream no error comes back up, yet Envoy still logs UT for the
  // stream it resets.
  const timer = timers.setTimeout(() => {
    req.flags.push("UT");
    controller.abort(new UpstreamTimeout());
  }, ms);
  const release = () => {
    timer.cancel();
    parent.removeEventListener("abort", onParent);
  };
  req.signal = controller.signal;
  try {
    const res = await inner(req);
    onResponseDone(res, release);
    return res;
  } catch (e) {
    release();
    if (controller.signal.aborted && controller.signal.reason instanceof UpstreamTimeout) throw controller.signal.reason;
    throw e;
  } finally {
    req.signal = parent;
  }
}
