import { describe, expect, it } from "vitest";
import { jaegerTraceSchema } from "@skein/shared";
import { HttpError } from "./http.ts";
import { normalizeTraceId, parseDurationUs, parseTraceSearch, toJaegerTrace, toJaegerTraces } from "./trace-query.ts";
import type { SpanRecord } from "./trace-store.ts";

const T = "4bf92f3577b34da6a3ce929d0e0e4736";

function span(over: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: T,
    spanId: "00f067aa0ba902b7",
    service: "productpage.default",
    operation: "reviews.default.svc.cluster.local:9080/*",
    kind: "CLIENT",
    startUs: 1_700_000_000_000_000,
    durationUs: 1500,
    error: false,
    details: { attributes: { "http.method": "GET", "http.status_code": 200 }, resource: {} },
    ...over,
  };
}

describe("parseDurationUs (Go's time.ParseDuration, as Jaeger reads minDuration)", () => {
  it.each([
    ["100ms", 100_000],
    ["1.2s", 1_200_000],
    ["1m30s", 90_000_000],
    ["250us", 250],
    ["250µs", 250],
    ["1500ns", 1.5],
    ["2h", 7_200_000_000],
    [".5s", 500_000],
    ["0", 0],
  ])("reads %s as %d µs", (text, us) => expect(parseDurationUs(text)).toBe(us));

  it.each(["", "100", "-1s", "1d", "ms", "1.2.3s", "1 s"])("refuses %j", (text) => expect(parseDurationUs(text)).toBeUndefined());
});

function search(query: string, nowUs = 10_000_000_000) {
  return parseTraceSearch(new URLSearchParams(query), nowUs);
}

function badRequest(query: string): string {
  try {
    search(query);
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(400);
    return (e as HttpError).message;
  }
  throw new Error(`${query} was accepted`);
}

describe("parseTraceSearch", () => {
  it("defaults to no filter and Jaeger's limit of 100", () => {
    expect(search("")).toEqual({ filter: {}, limit: 100 });
  });

  it("reads service, operation, durations, time window and limit", () => {
    expect(search("service=reviews.default&operation=GET%20%2Freviews&minDuration=100ms&maxDuration=1.2s&start=5&end=9&limit=20")).toEqual({
      filter: { service: "reviews.default", operation: "GET /reviews", minDurationUs: 100_000, maxDurationUs: 1_200_000, startUs: 5, endUs: 9 },
      limit: 20,
    });
  });

  it("turns error, span.kind and http.status_code tags into column filters and keeps other tags", () => {
    expect(search(`tags=${encodeURIComponent('{"error":"true","span.kind":"server","http.status_code":"503","response_flags":"UF"}')}`).filter).toEqual({
      error: true,
      kind: "SERVER",
      statusCode: 503,
      tags: { response_flags: "UF" },
    });
  });

  it("accepts error=false and repeated tag=key:value", () => {
    expect(search("error=false&tag=peer.address:10.0.0.1:80&tag=upstream_cluster:x").filter).toEqual({
      error: false,
      tags: { "peer.address": "10.0.0.1:80", upstream_cluster: "x" },
    });
  });

  it("counts lookback back from end, or from now without one", () => {
    expect(search("lookback=1s", 5_000_000).filter).toEqual({ startUs: 4_000_000 });
    expect(search("lookback=1s&end=3000000").filter).toEqual({ startUs: 2_000_000, endUs: 3_000_000 });
  });

  it("caps limit at 1500 like the Jaeger UI", () => expect(search("limit=99999").limit).toBe(1500));

  it.each([
    ["minDuration=fast", "minDuration must be a duration"],
    ["minDuration=2s&maxDuration=1s", "maxDuration must not be less than minDuration"],
    ["start=yesterday", "start must be unix microseconds"],
    ["tags=error", "tags must be a JSON object"],
    ["tags=[1]", "tags must be a JSON object"],
    ["tag=novalue", "tag must be key:value"],
    ["error=maybe", "error must be true or false"],
    ["limit=0", "limit must be a positive integer"],
  ])("answers 400 to %s", (query, message) => expect(badRequest(query)).toContain(message));
});

describe("normalizeTraceId", () => {
  it("left-pads ids Jaeger prints without leading zeros", () => {
    expect(normalizeTraceId("A3CE929D0E0E4736")).toBe("0000000000000000a3ce929d0e0e4736");
    expect(normalizeTraceId(T)).toBe(T);
  });
  it("refuses what is not hex or too long", () => {
    expect(normalizeTraceId("xyz")).toBeUndefined();
    expect(normalizeTraceId(T + "0")).toBeUndefined();
  });
});

describe("toJaegerTrace", () => {
  const client = span({ spanId: "aaaaaaaaaaaaaaaa", parentSpanId: "1111111111111111", startUs: 100, durationUs: 900 });
  const server = span({
    spanId: "bbbbbbbbbbbbbbbb",
    parentSpanId: "aaaaaaaaaaaaaaaa",
    service: "reviews.default",
    kind: "SERVER",
    startUs: 200,
    durationUs: 500,
    error: true,
    statusCode: 503,
    details: { attributes: { "http.status_code": 503, ratio: 0.5, tls: true }, resource: { "host.name": "h1" }, statusMessage: "HTTP 503", scope: "skein-proxy" },
  });

  it("nests the server span under the client span with a CHILD_OF reference, in Jaeger's shape", () => {
    const t = toJaegerTrace(T, [server, client]);
    expect(jaegerTraceSchema.parse(t)).toEqual(t);
    expect(t.spans.map((s) => s.spanID)).toEqual(["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"]);
    expect(t.spans[1]!.references).toEqual([{ refType: "CHILD_OF", traceID: T, spanID: "aaaaaaaaaaaaaaaa" }]);
    expect(t.spans[1]).toMatchObject({ traceID: T, operationName: server.operation, startTime: 200, duration: 500, processID: "p2" });
    expect(t.processes).toEqual({ p1: { serviceName: "productpage.default", tags: [] }, p2: { serviceName: "reviews.default", tags: [{ key: "host.name", type: "string", value: "h1" }] } });
  });

  it("types tags and adds span.kind, the scope and Jaeger's error tags to a failed span", () => {
    const tags = toJaegerTrace(T, [server]).spans[0]!.tags;
    expect(tags).toEqual([
      { key: "http.status_code", type: "int64", value: 503 },
      { key: "ratio", type: "float64", value: 0.5 },
      { key: "tls", type: "bool", value: true },
      { key: "span.kind", type: "string", value: "server" },
      { key: "otel.scope.name", type: "string", value: "skein-proxy" },
      { key: "error", type: "bool", value: true },
      { key: "otel.status_code", type: "string", value: "ERROR" },
      { key: "otel.status_description", type: "string", value: "HTTP 503" },
    ]);
  });

  it("flags a trace with any failed span, and only such a trace", () => {
    expect(toJaegerTrace(T, [client, server]).error).toBe(true);
    expect(toJaegerTrace(T, [client]).error).toBe(false);
  });

  it("turns events into logs and links into FOLLOWS_FROM references", () => {
    const s = span({ details: { attributes: {}, resource: {}, events: [{ timeUs: 150, name: "retry", attributes: { attempt: 2 } }], links: [{ traceId: "f".repeat(32), spanId: "e".repeat(16) }] } });
    const j = toJaegerTrace(T, [s]).spans[0]!;
    expect(j.logs).toEqual([{ timestamp: 150, fields: [{ key: "event", type: "string", value: "retry" }, { key: "attempt", type: "int64", value: 2 }] }]);
    expect(j.references).toEqual([{ refType: "FOLLOWS_FROM", traceID: "f".repeat(32), spanID: "e".repeat(16) }]);
  });

  it("keeps the order of the ids searched and leaves out traces with no spans", () => {
    const other = span({ traceId: "1".repeat(32) });
    expect(toJaegerTraces(["1".repeat(32), "2".repeat(32), T], [client, other]).map((t) => t.traceID)).toEqual(["1".repeat(32), T]);
  });
});
