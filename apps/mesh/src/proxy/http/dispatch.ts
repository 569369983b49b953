import { util, type Dispatcher } from "undici";
import { HOP_BY_HOP, type HeaderMap, type ProxyResponse } from "./exchange.ts";
import { UpstreamBody, type BodySource } from "./upstream-body.ts";

export interface DispatchedRequest {
  method: string;
  path: string;
  headers: HeaderMap;
  body: Buffer | null;
  /** Close the connection after this request (maxRequestsPerConnection 1). */
  reset?: boolean;
}

export interface DispatchCallbacks {
  /** Response headers arrived (1xx excluded): the moment upstream service time is measured to. */
  onHeaders?: () => void;
  /** Turns an undici error before response headers into what the caller rejects with. */
  classify: (error: Error) => unknown;
}

/**
 * One HTTP/1.1 request over an undici pool with the low-level `dispatch()` API: response
 * headers resolve the promise and the body streams through an UpstreamBody. undici's
 * `request()` adds an AsyncResource, a Readable body and its listeners per request,
 * which STYLE.md §4 measured here as the more expensive path.
 *
 * `signal` aborts the exchange at any point: before headers the promise rejects with
 * the signal's reason; after, the body fails with it (a route timeout cuts the stream).
 */
export function dispatchRequest(dispatcher: Dispatcher, req: DispatchedRequest, signal: AbortSignal | undefined, callbacks: DispatchCallbacks): Promise<ProxyResponse> {
  return new Promise((resolve, reject) => {
    const handler = new ResponseHandler(signal, callbacks, resolve, reject);
    if (signal?.aborted) return reject(signal.reason);
    if (signal) watch(signal, handler);
    dispatcher.dispatch(
      {
        method: req.method as Dispatcher.HttpMethod,
        path: req.path,
        headers: req.headers,
        body: req.body && req.body.length > 0 ? req.body : null,
        ...(req.reset ? { reset: true } : {}),
      },
      handler,
    );
  });
}

/**
 * Exchanges in flight per abort signal. A downstream HTTP/1.1 connection's signal lives
 * as long as the connection (see outbound-listener.ts), so one abort listener per signal
 * with a set of exchanges replaces an EventTarget add/remove per request (measured ~3% of
 * the client sidecar's CPU).
 */
const inFlight = new WeakMap<AbortSignal, Set<ResponseHandler>>();

function watch(signal: AbortSignal, handler: ResponseHandler): void {
  let handlers = inFlight.get(signal);
  if (handlers === undefined) {
    const set = new Set<ResponseHandler>();
    handlers = set;
    inFlight.set(signal, set);
    signal.addEventListener("abort", () => {
      for (const h of set) h.abort(signal.reason as Error);
      set.clear();
    }, { once: true });
  }
  handlers.add(handler);
}

function unwatch(signal: AbortSignal, handler: ResponseHandler): void {
  inFlight.get(signal)?.delete(handler);
}

/** undici's legacy handler interface: no wrapping controller per request (DispatcherBase unwraps only the new one). */
class ResponseHandler implements Dispatcher.DispatchHandler, BodySource {
  private abortFn: ((reason?: Error) => void) | undefined;
  private reason: Error | undefined;
  private resumeFn: (() => void) | undefined;
  private body: UpstreamBody | undefined;
  private settled = false;

  constructor(
    private readonly signal: AbortSignal | undefined,
    private readonly callbacks: DispatchCallbacks,
    private readonly resolve: (res: ProxyResponse) => void,
    private readonly reject: (e: unknown) => void,
  ) {}

  abort(reason: Error): void {
    if (this.abortFn) this.abortFn(reason);
    // Still queued for a connection: undici aborts it as soon as it would be sent.
    else this.reason ??= reason;
  }

  resume(): void {
    this.resumeFn?.();
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.reason) return abort(this.reason);
    this.abortFn = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx (100 Continue): informational, the final response follows.
    if (statusCode < 200) return true;
    this.resumeFn = resume;
    const headers = headerMap(rawHeaders, HOP_BY_HOP);
    const body = new UpstreamBody(this);
    this.body = body;
    this.settled = true;
    this.callbacks.onHeaders?.();
    this.resolve({ status: statusCode, headers, body, trailers: () => body.trailers });
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.body!.push(chunk);
  }

  onComplete(rawTrailers: string[] | Buffer[] | null): void {
    this.release();
    this.body?.end(rawTrailers && rawTrailers.length > 0 ? headerMap(rawTrailers, NONE) : undefined);
  }

  onError(error: Error): void {
    this.release();
    if (this.body) return this.body.fail(error);
    if (this.settled) return;
    this.settled = true;
    this.reject(this.signal?.aborted ? this.signal.reason : this.callbacks.classify(error));
  }

  private release(): void {
    if (this.signal) unwatch(this.signal, this);
  }
}

const NONE: ReadonlySet<string> = new Set();

/** undici's raw name/value list as lower-case names, repeated headers (set-cookie) as arrays, `skip` left out. */
function headerMap(raw: readonly (Buffer | string)[], skip: ReadonlySet<string>): HeaderMap {
  const out: HeaderMap = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = util.headerNameToString(raw[i]!);
    if (skip.has(name) || name === "__proto__") continue;
    const value = raw[i + 1]!.toString("latin1");
    const cur = Object.hasOwn(out, name) ? out[name] : undefined;
    out[name] = cur === undefined ? value : Array.isArray(cur) ? [...cur, value] : [cur, value];
  }
  return out;
}
