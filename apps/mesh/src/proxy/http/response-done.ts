import { Readable } from "node:stream";
import type { ProxyResponse } from "./exchange.ts";
import { UpstreamBody } from "./upstream-body.ts";

/**
 * Runs `fn` once the response body has been fully delivered or abandoned. Layers use it
 * to release what they hold for the whole response (active-request counts, timers).
 */
export function onResponseDone(res: ProxyResponse, fn: () => void): void {
  const body = res.body;
  if (body instanceof UpstreamBody) body.onDone(fn);
  else if (body instanceof Readable && !body.destroyed && !body.readableEnded) body.once("close", fn);
  else fn();
}

/** Drops an attempt's response whose body nobody will read (a retried attempt). */
export function discard(res: ProxyResponse): void {
  const body = res.body;
  if (body instanceof UpstreamBody) return body.destroy();
  if (!(body instanceof Readable)) return;
  // undici reports an unfinished body destroyed by us as an "aborted" error: expected here.
  body.on("error", () => undefined);
  body.destroy();
}
