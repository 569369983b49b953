import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock.ts";
import { OtlpExporter, toOtlpSpan, type Transport } from "./otlp-exporter.ts";
import type { Span } from "./tracing.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

function span(n: number, overrides: Partial<Span> = {}): Span {
  return {
    traceId: TRACE,
    spanId: n.toString(16).padStart(16, "0"),
    parentSpanId: "b7ad6b7169203331",
    name: "reviews.bookinfo.svc.cluster.local:9080/*",
    kind: "CLIENT",
    startTimeUnixNano: "1700000000123000000",
    endTimeUnixNano: "1700000000135000000",
    attributes: { "http.method": "GET", "http.status_code": 200, ratio: 0.5, sampled: true },
    status: { code: "UNSET" },
    ...overrides,
  };
}

/** Records each request body and answers with the queued statuses (200 once they run out). */
function fakeTransport(statuses: (number | Error)[] = []): Transport & { bodies: unknown[] } {
  const bodies: unknown[] = [];
  return {
    bodies,
    async send(_url, body) {
      bodies.push(JSON.parse(body));
      const next = statuses.shift() ?? 200;
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

function spansIn(body: unknown): { spanId: string }[] {
  return (body as { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] }).resourceSpans[0]!.scopeSpans[0]!.spans;
}

function exporter(transport: Transport, timers: ManualClock, extra: Partial<ConstructorParameters<typeof OtlpExporter>[0]> = {}) {
  return new OtlpExporter({ endpoint: "http://collector/v1/traces", serviceName: "productpage.bookinfo", timers, transport, ...extra });
}

describe("toOtlpSpan", () => {
  it("writes hex ids, the kind's OTLP number, nanosecond strings and typed attributes", () => {
    expect(toOtlpSpan(span(1, { kind: "SERVER", status: { code: "ERROR", message: "HTTP 503" } }))).toEqual({
      traceId: TRACE,
      spanId: "0000000000000001",
      parentSpanId: "b7ad6b7169203331",
      name: "reviews.bookinfo.svc.cluster.local:9080/*",
      kind: 2,
      startTimeUnixNano: "1700000000123000000",
      endTimeUnixNano: "1700000000135000000",
      attributes: [
        { key: "http.method", value: { stringValue: "GET" } },
        { key: "http.status_code", value: { intValue: "200" } },
        { key: "ratio", value: { doubleValue: 0.5 } },
        { key: "sampled", value: { boolValue: true } },
      ],
      status: { code: 2, message: "HTTP 503" },
    });
    expect(toOtlpSpan(span(1)).kind).toBe(3);
    expect(toOtlpSpan(span(1, { parentSpanId: undefined }))).not.toHaveProperty("parentSpanId");
  });
});

describe("OtlpExporter", () => {
  it("sends queued spans once the flush interval passes", async () => {
    const timers = new ManualClock();
    const transport = fakeTransport();
    const exp = exporter(transport, timers, { flushIntervalMs: 5000 });
    exp.export(span(1));
    exp.export(span(2));
    timers.advance(4999);
    expect(transport.bodies).toHaveLength(0);
    timers.advance(1);
    await exp.flush();
    expect(transport.bodies).toHaveLength(1);
    expect(spansIn(transport.bodies[0]).map((s) => s.spanId)).toEqual(["0000000000000001", "0000000000000002"]);
    expect(exp.stats).toEqual({ exported: 2, dropped: 0, failed: 0 });
  });

  it("sends as soon as a batch is full, in batches of the batch size", async () => {
    const timers = new ManualClock();
    const transport = fakeTransport();
    const exp = exporter(transport, timers, { maxBatchSize: 2 });
    for (let i = 1; i <= 5; i++) exp.export(span(i));
    timers.advance(0);
    await exp.flush();
    expect(transport.bodies.map((b) => spansIn(b).length)).toEqual([2, 2, 1]);
    expect(exp.stats.exported).toBe(5);
  });

  it("drops and counts spans when the queue is full, without waiting", () => {
    const exp = exporter(fakeTransport(), new ManualClock(), { maxQueueSize: 2, maxBatchSize: 10 });
    expect(exp.export(span(1))).toBe(true);
    expect(exp.export(span(2))).toBe(true);
    expect(exp.export(span(3))).toBe(false);
    expect(exp.stats.dropped).toBe(1);
    expect(exp.queued).toBe(2);
  });

  it("counts rejected and failed requests and carries on with the next batch", async () => {
    const transport = fakeTransport([500, new Error("ECONNREFUSED")]);
    const exp = exporter(transport, new ManualClock(), { maxBatchSize: 1 });
    exp.export(span(1));
    exp.export(span(2));
    exp.export(span(3));
    await exp.flush();
    expect(exp.stats).toEqual({ exported: 1, dropped: 0, failed: 2 });
  });

  it("sends what is left on shutdown and refuses spans afterwards", async () => {
    const timers = new ManualClock();
    const transport = fakeTransport();
    const exp = exporter(transport, timers);
    exp.export(span(1));
    await exp.shutdown();
    expect(transport.bodies).toHaveLength(1);
    expect(exp.export(span(2))).toBe(false);
    expect(exp.stats).toEqual({ exported: 1, dropped: 1, failed: 0 });
    expect(timers.pendingTimers).toBe(0);
  });

  it("leaves no timer behind when idle", async () => {
    const timers = new ManualClock();
    const exp = exporter(fakeTransport(), timers);
    exp.export(span(1));
    await exp.flush();
    expect(timers.pendingTimers).toBe(0);
  });

  it("posts OTLP/HTTP JSON to a real receiver with undici", async () => {
    const received: { method?: string; url?: string; contentType?: string; body: unknown }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ method: req.method, url: req.url, contentType: req.headers["content-type"], body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const exp = new OtlpExporter({
        endpoint: `http://127.0.0.1:${port}/v1/traces`,
        serviceName: "productpage.bookinfo",
        resourceAttributes: { "k8s.namespace.name": "bookinfo" },
      });
      exp.export(span(1));
      exp.export(span(2, { kind: "SERVER" }));
      await exp.shutdown();
      expect(exp.stats).toEqual({ exported: 2, dropped: 0, failed: 0 });
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ method: "POST", url: "/v1/traces", contentType: "application/json" });
      expect(received[0]!.body).toEqual({
        resourceSpans: [
          {
            resource: {
              attributes: [
                { key: "service.name", value: { stringValue: "productpage.bookinfo" } },
                { key: "k8s.namespace.name", value: { stringValue: "bookinfo" } },
              ],
            },
            scopeSpans: [{ scope: { name: "skein-proxy" }, spans: [toOtlpSpan(span(1)), toOtlpSpan(span(2, { kind: "SERVER" }))] }],
          },
        ],
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("counts spans as failed when the receiver is unreachable", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const exp = new OtlpExporter({ endpoint: `http://127.0.0.1:${port}/v1/traces`, serviceName: "x", timeoutMs: 2000 });
    exp.export(span(1));
    await exp.shutdown();
    expect(exp.stats).toEqual({ exported: 0, dropped: 0, failed: 1 });
  });
});
