/**
 * Sends finished spans to an OTLP/HTTP receiver as JSON (`--trace-endpoint URL`, e.g. the
 * control plane's `/v1/traces`). Like OpenTelemetry's batch span processor: a bounded
 * queue (a ring buffer) that drops and counts when full, one request per batch, sent when
 * a batch fills or an interval passes, and everything left on shutdown. `export()` only
 * enqueues: the data path never waits on the receiver.
 */
import { Agent, request } from "undici";
import { realTimers, type TimerFactory, type TimerHandle } from "../clock.ts";
import type { AttributeValue, Span } from "./tracing.ts";

/** How a batch leaves the process; resolves to the HTTP status. Injected in unit tests. */
export interface Transport {
  send(url: string, body: string): Promise<number>;
  close?(): Promise<void>;
}

export interface OtlpExporterOptions {
  /** Full URL of the receiver, e.g. `http://127.0.0.1:15000/v1/traces`. */
  endpoint: string;
  /** Resource `service.name`: Istio's sidecars use `<canonical service>.<namespace>`. */
  serviceName: string;
  resourceAttributes?: Record<string, string>;
  /** Spans held at most; OpenTelemetry's default 2048. */
  maxQueueSize?: number;
  /** Spans per request; OpenTelemetry's default 512. */
  maxBatchSize?: number;
  /** Longest a span waits before it is sent; OpenTelemetry's default 5 s. */
  flushIntervalMs?: number;
  /** Per-request timeout of the default transport. */
  timeoutMs?: number;
  timers?: TimerFactory;
  transport?: Transport;
}

export interface ExporterStats {
  exported: number;
  /** Refused because the queue was full or the exporter shut down. */
  dropped: number;
  /** Sent but not accepted (error status, timeout, connection failure). */
  failed: number;
}

/** OTLP's SpanKind and StatusCode enum numbers. */
const KIND = { SERVER: 2, CLIENT: 3 } as const;
const STATUS = { UNSET: 0, ERROR: 2 } as const;

export class OtlpExporter {
  readonly stats: ExporterStats = { exported: 0, dropped: 0, failed: 0 };
  private readonly queue: (Span | undefined)[];
  private head = 0;
  private count = 0;
  private timer: TimerHandle | undefined;
  private timerDueNow = false;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly maxBatch: number;
  private readonly intervalMs: number;
  private readonly timers: TimerFactory;
  private readonly transport: Transport;
  private readonly resource: { attributes: OtlpKeyValue[] };

  constructor(private readonly options: OtlpExporterOptions) {
    this.queue = new Array<Span | undefined>(options.maxQueueSize ?? 2048);
    this.maxBatch = options.maxBatchSize ?? 512;
    this.intervalMs = options.flushIntervalMs ?? 5000;
    this.timers = options.timers ?? realTimers;
    this.transport = options.transport ?? undiciTransport(options.timeoutMs ?? 10_000);
    this.resource = { attributes: keyValues({ "service.name": options.serviceName, ...options.resourceAttributes }) };
  }

  /** Queues a span; false when it was dropped. Never throws, never waits. */
  export(span: Span): boolean {
    if (this.closed || this.count === this.queue.length) {
      this.stats.dropped++;
      return false;
    }
    this.queue[(this.head + this.count) % this.queue.length] = span;
    this.count++;
    if (this.count >= this.maxBatch) this.schedule(0);
    else if (this.timer === undefined) this.schedule(this.intervalMs);
    return true;
  }

  /** Sends everything queued; resolves when the queue is empty and the last request done. */
  flush(): Promise<void> {
    this.cancelTimer();
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.count > 0 && !this.closed) this.schedule(this.intervalMs);
    });
    return this.running;
  }

  /** Sends what is left and refuses new spans. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.transport.close?.();
  }

  get queued(): number {
    return this.count;
  }

  private schedule(ms: number): void {
    if (this.running) return; // the drain loop picks new spans up
    if (this.timer !== undefined) {
      if (ms !== 0 || this.timerDueNow) return; // a timer at least as early is set
      this.cancelTimer();
    }
    this.timerDueNow = ms === 0;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerDueNow = false;
  }

  private async drain(): Promise<void> {
    while (this.count > 0) {
      const batch = this.take(this.maxBatch);
      try {
        const status = await this.transport.send(this.options.endpoint, JSON.stringify(this.body(batch)));
        if (status >= 200 && status < 300) this.stats.exported += batch.length;
        else this.stats.failed += batch.length;
      } catch {
        this.stats.failed += batch.length;
      }
    }
  }

  private take(n: number): Span[] {
    const out: Span[] = [];
    while (out.length < n && this.count > 0) {
      out.push(this.queue[this.head]!);
      this.queue[this.head] = undefined;
      this.head = (this.head + 1) % this.queue.length;
      this.count--;
    }
    return out;
  }

  private body(spans: readonly Span[]) {
    return { resourceSpans: [{ resource: this.resource, scopeSpans: [{ scope: { name: "skein-proxy" }, spans: spans.map(toOtlpSpan) }] }] };
  }
}

type OtlpAnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number };
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

function anyValue(v: AttributeValue): OtlpAnyValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  // int64 travels as a decimal string in OTLP/JSON (the protobuf JSON mapping).
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

function keyValues(attrs: Record<string, AttributeValue>): OtlpKeyValue[] {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v) }));
}

/** One span in OTLP/JSON: hex ids, the kind's enum number, nanosecond strings. */
export function toOtlpSpan(s: Span) {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
    name: s.name,
    kind: KIND[s.kind],
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    attributes: keyValues(s.attributes),
    status: s.status.message === undefined ? { code: STATUS[s.status.code] } : { code: STATUS[s.status.code], message: s.status.message },
  };
}

/** POSTs with undici through its own Agent, so shutdown closes the receiver connection too. */
export function undiciTransport(timeoutMs: number): Transport {
  let agent: Agent | undefined;
  return {
    async send(url, body) {
      agent ??= new Agent({ connections: 2, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      const res = await request(url, { method: "POST", dispatcher: agent, headers: { "content-type": "application/json" }, body });
      await res.body.dump();
      return res.statusCode;
    },
    async close() {
      await agent?.close();
      agent = undefined;
    },
  };
}
