import type { HeaderMap } from "./exchange.ts";

/** Where a streamed response body goes: the downstream response. */
export interface BodySink {
  /** Returns false when the sink is full; it calls the body's `resume` once drained. */
  write(chunk: Buffer): boolean;
  end(trailers: HeaderMap | undefined): void;
  /** The upstream broke mid-body: Envoy resets the downstream stream. */
  fail(error: Error): void;
}

/** How the body reaches back to its producer (undici's dispatch controls). */
export interface BodySource {
  abort(reason: Error): void;
  resume(): void;
}

/** Chunks held while no sink is attached, before the upstream is paused. */
const QUEUE_LIMIT = 64 * 1024;

/**
 * A response body still arriving from upstream, handed from the producer (a dispatch
 * handler) to one sink without a stream.Readable in between: measured on the sidecar,
 * undici's Readable body with its listeners was the largest per-request cost after
 * the sockets themselves (undici's own `stream()` API skips it for the same reason).
 *
 * Small responses usually arrive whole (headers, body and end in one read) before the
 * layers' promises settle, so they are queued and written downstream in one call. Layers
 * that hold something for the whole response register `onDone`, which runs once, when
 * the body ended, failed or was abandoned.
 */
export class UpstreamBody {
  trailers: HeaderMap | undefined;
  private sink: BodySink | undefined;
  private queue: Buffer[] = [];
  private queued = 0;
  private state: "streaming" | "ended" | "failed" | "destroyed" = "streaming";
  private failure: Error | undefined;
  private paused = false;
  private done: (() => void) | (() => void)[] | undefined;

  constructor(private readonly source: BodySource) {}

  /** Finished one way or another: nothing more will be produced. */
  get finished(): boolean {
    return this.state !== "streaming";
  }

  /** Ended and not yet handed to a sink: the whole body is in `takeQueued()`. */
  get complete(): boolean {
    return this.state === "ended";
  }

  // Producer side.

  /** A chunk from upstream; false asks the producer to pause until `resume`. */
  push(chunk: Buffer): boolean {
    if (this.state !== "streaming") return true;
    if (this.sink) {
      if (this.sink.write(chunk)) return true;
      this.paused = true;
      return false;
    }
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued < QUEUE_LIMIT) return true;
    this.paused = true;
    return false;
  }

  end(trailers: HeaderMap | undefined): void {
    if (this.state !== "streaming") return;
    this.state = "ended";
    this.trailers = trailers;
    if (this.sink) this.sink.end(trailers);
    this.finish();
  }

  fail(error: Error): void {
    if (this.state !== "streaming") return;
    this.state = "failed";
    this.failure = error;
    this.sink?.fail(error);
    this.finish();
  }

  // Consumer side.

  /** Hands the body to its sink: what is queued first, then the rest as it arrives. */
  pipeTo(sink: BodySink): void {
    this.sink = sink;
    const queue = this.queue;
    this.queue = [];
    this.queued = 0;
    let open = true;
    for (const chunk of queue) open = sink.write(chunk);
    if (this.state === "ended") return sink.end(this.trailers);
    if (this.state !== "streaming") return sink.fail(this.failure!);
    if (open) this.resume();
  }

  /** What arrived before any sink, emptied: for a body that is already `complete`. */
  takeQueued(): Buffer[] {
    const queue = this.queue;
    this.queue = [];
    this.queued = 0;
    return queue;
  }

  /** The sink drained. */
  resume(): void {
    if (!this.paused || this.state !== "streaming") return;
    this.paused = false;
    this.source.resume();
  }

  /** Nobody will read the rest (a retried attempt, the downstream went away): reset the upstream. */
  destroy(reason: Error = new Error("response body abandoned")): void {
    if (this.state !== "streaming") return;
    this.state = "destroyed";
    this.failure = reason;
    this.queue = [];
    this.source.abort(reason);
    this.finish();
  }

  /** Runs `fn` once the body ended, failed or was abandoned (at once if it already has). */
  onDone(fn: () => void): void {
    if (this.state !== "streaming") return fn();
    if (this.done === undefined) this.done = fn;
    else if (typeof this.done === "function") this.done = [this.done, fn];
    else this.done.push(fn);
  }

  private finish(): void {
    const done = this.done;
    this.done = undefined;
    if (done === undefined) return;
    if (typeof done === "function") return done();
    for (const fn of done) fn();
  }
}

/** Reads a body whole, up to `limit` bytes (what is past it is dropped and the upstream reset). */
export function readUpstreamBody(body: UpstreamBody, limit: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.pipeTo({
      write(chunk) {
        if (size + chunk.length > limit) {
          queueMicrotask(() => body.destroy());
          return false;
        }
        size += chunk.length;
        chunks.push(chunk);
        return true;
      },
      end: () => resolve(Buffer.concat(chunks)),
      fail: () => resolve(Buffer.concat(chunks)),
    });
    body.onDone(() => resolve(Buffer.concat(chunks)));
  });
}
