import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { toOtlpSpan } from "../proxy/telemetry/otlp-exporter.ts";
import { buildSpan, type SpanInput } from "../proxy/telemetry/tracing.ts";
import { HttpError, type RequestContext } from "./http.ts";
import { decodeOtlpJson, id, otlpRoutes } from "./otlp-receiver.ts";
import type { SpanRecord } from "./trace-store.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

function sidecarSpan(over: Partial<SpanInput> = {}) {
  return buildSpan({
    context: { traceId: TRACE, spanId: "00f067aa0ba902b7", parentSpanId: "1111111111111111", sampled: true },
    kind: "SERVER",
    name: "reviews.default.svc.cluster.local:9080/*",
    startMs: 1_700_000_000_123.456,
    endMs: 1_700_000_000_125.956,
    method: "GET",
    url: "http://reviews:9080/reviews/0",
    protocol: "HTTP/1.1",
    statusCode: 200,
    responseFlags: "",
    node: { id: "sidecar~127.0.0.1~reviews-v1.default~default.svc.cluster.local", namespace: "default", canonicalService: "reviews", canonicalRevision: "v1" },
    ...over,
  });
}

/** The body the sidecar's OtlpExporter posts. */
function exportBody(service: string, spans: unknown[], resourceExtra: unknown[] = []) {
  return { resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: service } }, ...resourceExtra] }, scopeSpans: [{ scope: { name: "skein-proxy" }, spans }] }] };
}

describe("decodeOtlpJson", () => {
  it("reads the sidecar exporter's JSON: ids, kind, µs times, attributes, service", () => {
    const { spans, rejected } = decodeOtlpJson(JSON.parse(JSON.stringify(exportBody("reviews.default", [toOtlpSpan(sidecarSpan())]))));
    expect(rejected).toBe(0);
    expect(spans).toEqual([
      {
        traceId: TRACE,
        spanId: "00f067aa0ba902b7",
        parentSpanId: "1111111111111111",
        service: "reviews.default",
        operation: "reviews.default.svc.cluster.local:9080/*",
        kind: "SERVER",
        startUs: 1_700_000_000_123_456,
        durationUs: 2500,
        error: false,
        statusCode: 200,
        details: {
          attributes: expect.objectContaining({ "http.method": "GET", "http.status_code": 200, response_flags: "-", "istio.canonical_service": "reviews" }),
          resource: {},
          scope: "skein-proxy",
        },
      },
    ]);
  });

  it("marks a span with status ERROR as failed and keeps the status message", () => {
    const [s] = decodeOtlpJson(exportBody("reviews.default", [toOtlpSpan(sidecarSpan({ statusCode: 503, responseFlags: "UF" }))])).spans;
    expect(s).toMatchObject({ error: true, statusCode: 503, details: { statusMessage: "HTTP 503" } });
  });

  it("refuses spans with bad ids one by one and stores the rest", () => {
    const good = toOtlpSpan(sidecarSpan());
    const out = decodeOtlpJson(exportBody("a", [{ ...good, traceId: "0".repeat(32) }, good, { ...good, spanId: "xyz" }]));
    expect(out.spans).toHaveLength(1);
    expect(out.rejected).toBe(2);
    expect(out.rejectReason).toContain("invalid traceId");
  });

  it("accepts base64 ids, kind names, numeric times and the pre-0.15 field names", () => {
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "legacy" } }, { key: "host.name", value: { stringValue: "h1" } }] },
          instrumentationLibrarySpans: [
            {
              instrumentationLibrary: { name: "old-lib" },
              spans: [{ traceId: Buffer.from(TRACE, "hex").toString("base64"), spanId: Buffer.from("00f067aa0ba902b7", "hex").toString("base64"), name: "op", kind: "SPAN_KIND_CLIENT", startTimeUnixNano: 2_000_000, endTimeUnixNano: 5_000_000 }],
            },
          ],
        },
      ],
    };
    expect(decodeOtlpJson(body).spans[0]).toMatchObject({ traceId: TRACE, spanId: "00f067aa0ba902b7", kind: "CLIENT", service: "legacy", startUs: 2000, durationUs: 3000, details: { resource: { "host.name": "h1" }, scope: "old-lib" } });
  });

  it("maps every AnyValue: int64 strings, doubles, arrays and key-value lists as JSON text", () => {
    const attrs = [
      { key: "i", value: { intValue: "42" } },
      { key: "big", value: { intValue: "9223372036854775807" } },
      { key: "d", value: { doubleValue: 0.25 } },
      { key: "b", value: { boolValue: false } },
      { key: "arr", value: { arrayValue: { values: [{ stringValue: "x" }, { intValue: "1" }] } } },
      { key: "kv", value: { kvlistValue: { values: [{ key: "k", value: { stringValue: "v" } }] } } },
      { key: "empty", value: {} },
    ];
    const span = { traceId: TRACE, spanId: "00f067aa0ba902b7", name: "op", kind: 1, startTimeUnixNano: "1000", endTimeUnixNano: "1000", attributes: attrs };
    expect(decodeOtlpJson(exportBody("s", [span])).spans[0]!.details.attributes).toEqual({ i: 42, big: "9223372036854775807", d: 0.25, b: false, arr: '["x",1]', kv: '{"k":"v"}' });
  });

  it("names a span without service.name unknown_service, as OpenTelemetry does", () => {
    const body = { resourceSpans: [{ scopeSpans: [{ spans: [toOtlpSpan(sidecarSpan())] }] }] };
    expect(decodeOtlpJson(body).spans[0]!.service).toBe("unknown_service");
  });

  it("keeps events and links", () => {
    const span = { ...toOtlpSpan(sidecarSpan()), events: [{ timeUnixNano: "3000", name: "retry", attributes: [{ key: "n", value: { intValue: "2" } }] }], links: [{ traceId: "f".repeat(32), spanId: "e".repeat(16) }] };
    expect(decodeOtlpJson(exportBody("s", [span])).spans[0]!.details).toMatchObject({ events: [{ timeUs: 3, name: "retry", attributes: { n: 2 } }], links: [{ traceId: "f".repeat(32), spanId: "e".repeat(16) }] });
  });

  it("answers 400 to a body that is no export request", () => {
    expect(() => decodeOtlpJson([])).toThrow(HttpError);
    expect(() => decodeOtlpJson({ resourceSpans: {} })).toThrow("resourceSpans must be an array");
  });
});

describe("id", () => {
  it.each([
    ["00F067AA0BA902B7", 8, "00f067aa0ba902b7"],
    ["0000000000000000", 8, undefined],
    ["00f067aa0ba902", 8, undefined],
    [42, 8, undefined],
  ])("reads %j (%d bytes) as %j", (v, bytes, want) => expect(id(v, bytes)).toBe(want));
});

// ---- the route, with a fake store --------------------------------------------------

function post(body: Buffer | string, headers: Record<string, string>) {
  const req = Object.assign(Readable.from([Buffer.from(body)]), { headers }) as unknown as IncomingMessage;
  return { req } as RequestContext;
}

function receiver() {
  const stored: SpanRecord[] = [];
  const [route] = otlpRoutes({ store: { insert: async (s) => void stored.push(...s) } });
  return { route: route!, stored };
}

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    return (e as HttpError).status;
  }
}

describe("POST /v1/traces", () => {
  const body = JSON.stringify(exportBody("reviews.default", [toOtlpSpan(sidecarSpan())]));

  it("stores the spans and answers an empty ExportTraceServiceResponse", async () => {
    const { route, stored } = receiver();
    expect(route).toMatchObject({ method: "POST", path: "/v1/traces", auth: "none" });
    expect(await route.handler(post(body, { "content-type": "application/json; charset=utf-8" }))).toEqual({});
    expect(stored).toHaveLength(1);
  });

  it("undoes Content-Encoding: gzip", async () => {
    const { route, stored } = receiver();
    await route.handler(post(gzipSync(body), { "content-type": "application/json", "content-encoding": "gzip" }));
    expect(stored).toHaveLength(1);
  });

  it("reports refused spans in partialSuccess", async () => {
    const { route } = receiver();
    const bad = JSON.stringify(exportBody("a", [{ ...toOtlpSpan(sidecarSpan()), spanId: "" }]));
    expect(await route.handler(post(bad, { "content-type": "application/json" }))).toEqual({ partialSuccess: { rejectedSpans: "1", errorMessage: expect.stringContaining("invalid spanId") } });
  });

  it("answers 415 to protobuf and to other media types, 400 to bad JSON", async () => {
    const { route } = receiver();
    expect(await status(route.handler(post("\x0a\x00", { "content-type": "application/x-protobuf" })))).toBe(415);
    expect(await status(route.handler(post(body, { "content-type": "text/plain" })))).toBe(415);
    expect(await status(route.handler(post(body, { "content-type": "application/json", "content-encoding": "br" })))).toBe(415);
    expect(await status(route.handler(post("{", { "content-type": "application/json" })))).toBe(400);
  });

  it("answers 503, which OTLP exporters retry, when the store fails", async () => {
    const [route] = otlpRoutes({ store: { insert: async () => Promise.reject(new Error("database is locked")) } });
    expect(await status(route!.handler(post(body, { "content-type": "application/json" })))).toBe(503);
  });
});
