import { describe, expect, it } from "vitest";
import type { HeaderMap } from "./request-id.ts";
import {
  buildSpan,
  childContext,
  extractTraceContext,
  IdGenerator,
  injectTraceHeaders,
  istioSpanName,
  parseB3Multi,
  parseB3Single,
  parseTraceparent,
  unixNanos,
  type SpanInput,
} from "./tracing.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const PARENT = "b7ad6b7169203331";

/** Fills with 1, 2, 3, ... so ids are predictable. */
function countingIds(): IdGenerator {
  let next = 1;
  return new IdGenerator((bytes) => {
    for (let i = 0; i < bytes.length; i++) bytes[i] = next++ & 0xff;
  });
}

describe("parseTraceparent", () => {
  it("reads a version 00 header and its sampled flag", () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.sampled).toBe(true);
  });

  it.each([
    ["upper-case hex", `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["an all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["trailing data on version 00", `00-${TRACE}-${SPAN}-01-extra`],
    ["a short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["non-hex flags", `00-${TRACE}-${SPAN}-0x`],
    ["wrong separators", `00_${TRACE}_${SPAN}_01`],
    ["nothing", undefined],
  ])("rejects %s", (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it("accepts a later version with extra fields after a dash", () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-whatever`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01x`)).toBeUndefined();
  });
});

describe("parseB3Single", () => {
  it("reads trace id, span id, sampling state and parent", () => {
    expect(parseB3Single(`${TRACE}-${SPAN}-1-${PARENT}`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parseB3Single(`${TRACE}-${SPAN}-0`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: false });
    expect(parseB3Single(`${TRACE}-${SPAN}`)).toEqual({ traceId: TRACE, spanId: SPAN });
  });

  it("left-pads a 64-bit trace id to 128 bits", () => {
    expect(parseB3Single(`a3ce929d0e0e4736-${SPAN}-1`)?.traceId).toBe("0000000000000000a3ce929d0e0e4736");
  });

  it("reads a sampling decision alone, and d as debug", () => {
    expect(parseB3Single("0")).toEqual({ sampled: false });
    expect(parseB3Single("1")).toEqual({ sampled: true });
    expect(parseB3Single(`${TRACE}-${SPAN}-d`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true, debug: true });
  });

  it.each([["x"], [`${TRACE}-short-1`], [`${TRACE}-${SPAN}-7`], [`${TRACE}-${SPAN}-1-zz`], [`${"0".repeat(32)}-${SPAN}`]])("rejects %s", (v) => {
    expect(parseB3Single(v)).toBeUndefined();
  });
});

describe("parseB3Multi", () => {
  it("reads the X-B3 headers", () => {
    expect(parseB3Multi({ "x-b3-traceid": TRACE, "x-b3-spanid": SPAN, "x-b3-parentspanid": PARENT, "x-b3-sampled": "1" })).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
    });
  });

  it("left-pads a 64-bit trace id and leaves the decision open without X-B3-Sampled", () => {
    expect(parseB3Multi({ "x-b3-traceid": "a3ce929d0e0e4736", "x-b3-spanid": SPAN })).toEqual({
      traceId: "0000000000000000a3ce929d0e0e4736",
      spanId: SPAN,
    });
  });

  it("treats X-B3-Flags: 1 as debug, and a lone X-B3-Sampled as a decision", () => {
    expect(parseB3Multi({ "x-b3-traceid": TRACE, "x-b3-spanid": SPAN, "x-b3-flags": "1" })).toMatchObject({ sampled: true, debug: true });
    expect(parseB3Multi({ "x-b3-sampled": "0" })).toEqual({ sampled: false });
  });

  it("rejects a trace id without a span id", () => {
    expect(parseB3Multi({ "x-b3-traceid": TRACE })).toBeUndefined();
    expect(parseB3Multi({})).toBeUndefined();
  });
});

describe("extractTraceContext", () => {
  it("prefers traceparent, carrying tracestate along", () => {
    const headers: HeaderMap = { traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: ["congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7"], "x-b3-traceid": "1".repeat(32), "x-b3-spanid": "1".repeat(16) };
    expect(extractTraceContext(headers)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true, traceState: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7" });
  });

  it("falls back to b3, then to X-B3 headers, when traceparent is invalid", () => {
    expect(extractTraceContext({ traceparent: "garbage", b3: `${TRACE}-${SPAN}-1` })?.traceId).toBe(TRACE);
    expect(extractTraceContext({ b3: "garbage", "x-b3-traceid": TRACE, "x-b3-spanid": SPAN })?.spanId).toBe(SPAN);
  });

  it("ignores a repeated traceparent", () => {
    expect(extractTraceContext({ traceparent: [`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-01`] })).toBeUndefined();
  });
});

describe("IdGenerator", () => {
  it("draws lower-case hex ids from the injected random source", () => {
    const ids = countingIds();
    expect(ids.traceId()).toBe("0102030405060708090a0b0c0d0e0f10");
    expect(ids.spanId()).toBe("1112131415161718");
  });

  it("never returns an all-zero id", () => {
    let calls = 0;
    const ids = new IdGenerator((bytes) => {
      bytes.fill(calls++ === 0 ? 0 : 0xab);
    });
    expect(ids.spanId()).not.toBe("0".repeat(16));
  });
});

describe("childContext", () => {
  it("keeps the trace, makes the caller's span the parent, and keeps its sampling decision", () => {
    const ctx = childContext({ traceId: TRACE, spanId: SPAN, sampled: false, traceState: "a=b" }, countingIds(), true);
    expect(ctx).toEqual({ traceId: TRACE, spanId: "0102030405060708", parentSpanId: SPAN, sampled: false, traceState: "a=b" });
  });

  it("starts a new trace when the request carried none", () => {
    const ctx = childContext(undefined, countingIds(), true);
    expect(ctx).toEqual({ traceId: "0102030405060708090a0b0c0d0e0f10", spanId: "1112131415161718", sampled: true });
  });

  it("obeys a sampling decision that came without ids", () => {
    expect(childContext({ sampled: false }, countingIds(), true).sampled).toBe(false);
  });

  it("decides sampling itself when the caller left it open", () => {
    expect(childContext({ traceId: TRACE, spanId: SPAN }, countingIds(), true).sampled).toBe(true);
  });
});

describe("injectTraceHeaders", () => {
  it("sends traceparent, tracestate and the X-B3 headers for the proxy's span", () => {
    const headers: HeaderMap = { "x-b3-flags": "1" };
    injectTraceHeaders({ traceId: TRACE, spanId: SPAN, parentSpanId: PARENT, sampled: true, traceState: "a=b" }, headers);
    expect(headers).toEqual({
      traceparent: `00-${TRACE}-${SPAN}-01`,
      tracestate: "a=b",
      "x-b3-traceid": TRACE,
      "x-b3-spanid": SPAN,
      "x-b3-parentspanid": PARENT,
      "x-b3-sampled": "1",
    });
  });

  it("rewrites a b3 header the request carried and drops stale parent ids", () => {
    const headers: HeaderMap = { b3: "old", "x-b3-parentspanid": "1".repeat(16), tracestate: "stale=1" };
    injectTraceHeaders({ traceId: TRACE, spanId: SPAN, sampled: false }, headers);
    expect(headers.b3).toBe(`${TRACE}-${SPAN}-0`);
    expect(headers.traceparent).toBe(`00-${TRACE}-${SPAN}-00`);
    expect(headers["x-b3-parentspanid"]).toBeUndefined();
    expect(headers.tracestate).toBeUndefined();
  });

  it("sends debug as X-B3-Flags without X-B3-Sampled", () => {
    const headers: HeaderMap = { "x-b3-sampled": "0" };
    injectTraceHeaders({ traceId: TRACE, spanId: SPAN, sampled: true, debug: true }, headers);
    expect(headers["x-b3-flags"]).toBe("1");
    expect(headers["x-b3-sampled"]).toBeUndefined();
  });

  it("round-trips: the next hop extracts the proxy's span as its parent", () => {
    const headers: HeaderMap = {};
    const ctx = childContext({ traceId: TRACE, spanId: SPAN, sampled: true }, countingIds(), false);
    injectTraceHeaders(ctx, headers);
    expect(extractTraceContext(headers)).toEqual({ traceId: TRACE, spanId: ctx.spanId, sampled: true });
  });
});

describe("buildSpan", () => {
  const input: SpanInput = {
    context: { traceId: TRACE, spanId: SPAN, parentSpanId: PARENT, sampled: true },
    kind: "CLIENT",
    name: istioSpanName("reviews.bookinfo.svc.cluster.local", 9080),
    startMs: 1_700_000_000_123.456,
    endMs: 1_700_000_000_135,
    method: "GET",
    url: "http://reviews:9080/reviews/0",
    protocol: "HTTP/1.1",
    statusCode: 200,
    responseFlags: "-",
    upstreamCluster: "outbound|9080|v2|reviews.bookinfo.svc.cluster.local",
    requestId: "req-1",
    node: { id: "sidecar~10.0.0.5~productpage-v1.bookinfo~bookinfo.svc.cluster.local", namespace: "bookinfo", canonicalService: "productpage", canonicalRevision: "v1" },
  };

  it("carries ids, kind, times in unix nanoseconds and Envoy's tags", () => {
    const span = buildSpan(input);
    expect(span).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: PARENT,
      name: "reviews.bookinfo.svc.cluster.local:9080/*",
      kind: "CLIENT",
      startTimeUnixNano: "1700000000123456000",
      endTimeUnixNano: "1700000000135000000",
      status: { code: "UNSET" },
    });
    expect(span.attributes).toMatchObject({
      "http.method": "GET",
      "http.url": "http://reviews:9080/reviews/0",
      "http.status_code": 200,
      upstream_cluster: "outbound|9080|v2|reviews.bookinfo.svc.cluster.local",
      response_flags: "-",
      node_id: input.node.id,
      "istio.canonical_service": "productpage",
      "guid:x-request-id": "req-1",
      component: "proxy",
    });
  });

  it("marks a 5xx and a request that got no response as errors", () => {
    expect(buildSpan({ ...input, statusCode: 503, responseFlags: "UF" }).status).toEqual({ code: "ERROR", message: "HTTP 503" });
    expect(buildSpan({ ...input, statusCode: 0, responseFlags: "DC" }).status).toEqual({ code: "ERROR", message: "DC" });
    expect(buildSpan({ ...input, statusCode: 404 }).status.code).toBe("UNSET");
  });

  it("leaves out the parent of a root span", () => {
    expect(buildSpan({ ...input, context: { traceId: TRACE, spanId: SPAN, sampled: true } })).not.toHaveProperty("parentSpanId");
  });
});

describe("unixNanos", () => {
  it("converts milliseconds to nanoseconds without floating-point loss", () => {
    expect(unixNanos(1_700_000_000_000)).toBe("1700000000000000000");
    expect(unixNanos(1.5)).toBe("1500000");
  });
});
