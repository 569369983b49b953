import { Readable } from "node:stream";
import type { ProxyResponse } from "./exchange.ts";

/**
 * Runs `fn` once the response body has been fully delivered or abandoned. Layers use it
 * to release what they hold for the whole response (active-request counts, timers).
 */
export function onResponseDone(res: ProxyResponse, fn: () => void): void {
  if (res.body instanceof Readable && !res.body.destroyed && !res.body.readableEnded) res.body.once("close", fn);
  else fn();
}

/** Drops an attempt's response whose body nobody will read (a retried attempt). */
export function discard(res: ProxyResponse): void {
  if (!(res.body instanceof Readable)) return;
  // undici reports an unfinished body destroyed by us as an "aborted" error: expected here.
  res.body.on("error", () => undefined);
  res.body.destroy();
}
