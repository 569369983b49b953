import { request, type Dispatcher } from "undici";
import { applySnapshotDelta, type ProxySnapshot, type SnapshotDelta, type Workload } from "@skein/shared";
import { mathRng, realTimers, type Rng, type TimerFactory, type TimerHandle } from "./clock.ts";

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** Envoy's xDS reconnect back-off: 500 ms base (doubling), capped; tests use less. */
export const defaultBackoff: Backoff = { baseMs: 500, maxMs: 10_000 };

/**
 * Exponential back-off with "equal jitter": half the window fixed, half random. A control
 * plane that comes back is not hit by every sidecar at once, and no retry comes at ~0 ms.
 */
export function backoffDelay(attempt: number, backoff: Backoff, rng: Rng): number {
  const window = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return window / 2 + rng.next() * (window / 2);
}

/** A wait that `cancel()` ends early (resolving false). */
export function sleep(timers: TimerFactory, ms: number): { done: Promise<boolean>; cancel(): void } {
  let handle: TimerHandle | undefined;
  let finish!: (fired: boolean) => void;
  const done = new Promise<boolean>((resolve) => {
    finish = resolve;
    handle = timers.setTimeout(() => resolve(true), ms);
  });
  return {
    done,
    cancel: () => {
      handle?.cancel();
      finish(false);
    },
  };
}

export interface XdsClientOptions {
  /** The control plane's base URL, e.g. http://127.0.0.1:15000 */
  controlPlane: string;
  /** Join token. */
  token: string;
  /** What this sidecar registers as (its inbound address and port included). */
  workload: Workload;
  /** Installs a snapshot; throwing NACKs it with the error's message. */
  apply(snapshot: ProxySnapshot): void | Promise<void>;
  /** The version in force (from the disk cache or the last push), sent when (re)connecting. */
  servedVersion(): string | undefined;
  /**
   * The snapshot in force. With it the client asks for `delta` events and applies them to
   * it; without it every change comes as a whole snapshot.
   */
  servedSnapshot?(): ProxySnapshot | undefined;
  backoff?: Backoff;
  /** Reconnect when nothing, not even a ping, arrived for this long (a half-open connection). */
  idleTimeoutMs?: number;
  dispatcher?: Dispatcher;
  rng?: Rng;
  timers?: TimerFactory;
  log?: (line: string) => void;
}

interface SseEvent {
  event: string;
  data: string;
}

/**
 * The sidecar end of the push stream: keeps one SSE stream to the control plane open,
 * reconnecting with jittered back-off whenever it drops, applies every snapshot it is
 * sent and answers ACK or NACK, like an xDS client.
 */
export class XdsClient {
  private closed = false;
  private abort: AbortController | undefined;
  private wait: { cancel(): void } | undefined;
  private loop: Promise<void> | undefined;
  private isConnected = false;
  /** Snapshot events received, applied or not (a test reads it to prove nothing came). */
  received = 0;

  constructor(private readonly options: XdsClientOptions) {}

  get connected(): boolean {
    return this.isConnected;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort?.abort();
    this.wait?.cancel();
    await this.loop;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private async run(): Promise<void> {
    const timers = this.options.timers ?? realTimers;
    let attempt = 0;
    while (!this.closed) {
      let resync = false;
      try {
        resync = await this.stream(() => (attempt = 0));
        if (!this.closed && !resync) this.log("control-plane stream ended; reconnecting");
      } catch (e) {
        if (!this.closed) this.log(`control-plane stream: ${(e as Error).message}`);
      }
      this.isConnected = false;
      if (this.closed) break;
      // The control plane answers a new stream with the whole snapshot first: no wait.
      if (resync) continue;
      const pause = sleep(timers, backoffDelay(attempt++, this.options.backoff ?? defaultBackoff, this.options.rng ?? mathRng));
      this.wait = pause;
      await pause.done;
    }
  }

  /** Follows one stream until it ends; true when it was left to get a whole snapshot (a delta did not fit). */
  private async stream(onOpen: () => void): Promise<boolean> {
    const url = new URL("/xds/v1/stream", this.options.controlPlane);
    url.searchParams.set("workload", JSON.stringify(this.options.workload));
    const served = this.options.servedVersion();
    if (served !== undefined) url.searchParams.set("version", served);
    if (this.options.servedSnapshot) url.searchParams.set("delta", "1");
    const abort = new AbortController();
    this.abort = abort;
    const res = await request(url, {
      method: "GET",
      headers: { authorization: `Bearer ${this.options.token}`, accept: "text/event-stream" },
      signal: abort.signal,
      headersTimeout: 10_000,
      // undici's body timeout is the longest gap between two chunks: with the control
      // plane's pings, exactly a dead-peer detector.
      bodyTimeout: this.options.idleTimeoutMs ?? 45_000,
      ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
    });
    if (res.statusCode !== 200) {
      const text = await res.body.text().catch(() => "");
      throw new Error(`control plane answered ${res.statusCode}: ${errorMessage(text)}`);
    }
    this.isConnected = true;
    onOpen();
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const from = Math.max(0, buffer.length - 1);
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf("\n\n", from);
      while (end >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event?.event === "snapshot") await this.onSnapshot(event.data);
        else if (event?.event === "delta" && !(await this.onDelta(event.data))) {
          abort.abort();
          return true;
        }
        end = buffer.indexOf("\n\n");
      }
    }
    return false;
  }

  private async onSnapshot(data: string): Promise<void> {
    this.received++;
    let version = "";
    let error: string | undefined;
    try {
      const message = JSON.parse(data) as { version: string; snapshot: ProxySnapshot };
      version = message.version;
      if (message.snapshot?.version !== version) throw new Error(`snapshot version ${message.snapshot?.version} differs from the event's ${version}`);
      // A reconnect re-sends the config in force; applying it again would only churn.
      if (version !== this.options.servedVersion()) await this.options.apply(message.snapshot);
    } catch (e) {
      error = (e as Error).message || String(e);
      this.log(`config ${version} rejected: ${error}`);
    }
    await this.ack(version, error);
  }

  /**
   * Applies a delta to the snapshot in force and ACKs or NACKs it; false, without an
   * answer, when the delta is against another version than the one in force (a NACKed or
   * missed push): the caller then reconnects, and a new stream starts with the whole snapshot.
   */
  private async onDelta(data: string): Promise<boolean> {
    this.received++;
    let version = "";
    let error: string | undefined;
    try {
      const message = JSON.parse(data) as { version: string; base: string; delta: SnapshotDelta };
      version = message.version;
      const base = this.options.servedSnapshot?.();
      if (base?.version !== message.base) {
        this.log(`config ${version} is a delta against ${message.base}, but ${base?.version || "no config"} is in force; reconnecting for the whole snapshot`);
        return false;
      }
      await this.options.apply(applySnapshotDelta(base, version, message.delta));
    } catch (e) {
      error = (e as Error).message || String(e);
      this.log(`config ${version} rejected: ${error}`);
    }
    await this.ack(version, error);
    return true;
  }

  private async ack(version: string, error: string | undefined): Promise<void> {
    try {
      const res = await request(new URL("/xds/v1/ack", this.options.controlPlane), {
        method: "POST",
        headers: { authorization: `Bearer ${this.options.token}`, "content-type": "application/json" },
        body: JSON.stringify(error === undefined ? { version } : { version, error }),
        headersTimeout: 10_000,
        ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      });
      await res.body.dump();
      if (res.statusCode >= 300) this.log(`ACK of ${version} answered ${res.statusCode}`);
    } catch (e) {
      // The stream will drop too; the snapshot is sent again on reconnect and ACKed then.
      this.log(`cannot ACK ${version}: ${(e as Error).message}`);
    }
  }
}

/** One SSE event block (WHATWG "event stream" format); comments and unknown fields are skipped. */
export function parseEvent(block: string): SseEvent | undefined {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length > 0 || event !== "message" ? { event, data: data.join("\n") } : undefined;
}

function errorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not the API's JSON error: show the text
  }
  return body.slice(0, 200) || "(no body)";
}
