import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { ManualClock } from "../clock.ts";
import { AccessLog, formatAccessLogLine, openAccessLog, parseAccessLogTarget, StreamSink, type AccessLogEntry } from "./access-log.ts";

const entry: AccessLogEntry = {
  startTime: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
  method: "GET",
  path: "/reviews/0",
  protocol: "HTTP/1.1",
  responseCode: 200,
  responseFlags: "-",
  bytesReceived: 0,
  bytesSent: 295,
  durationMs: 12.8,
  upstreamServiceTimeMs: 11.2,
  xForwardedFor: "10.0.0.1",
  userAgent: "curl/8.0",
  requestId: "5f1c4a1e-8b7d-4c1e-9d7a-0b8c1d2e3f40",
  authority: "reviews:9080",
  upstreamHost: "10.0.0.7:9080",
  upstreamCluster: "outbound|9080|v2|reviews.bookinfo.svc.cluster.local",
  attemptCount: 1,
  downstreamPeerPrincipal: "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage",
  routeName: "reviews-v2",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
};

function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("formatAccessLogLine", () => {
  it("writes one JSON line with Envoy's field names and values", () => {
    const line = formatAccessLogLine(entry);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.indexOf("\n")).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual({
      start_time: "2025-01-02T03:04:05.678Z",
      method: "GET",
      path: "/reviews/0",
      protocol: "HTTP/1.1",
      response_code: 200,
      response_flags: "-",
      response_code_details: null,
      bytes_received: 0,
      bytes_sent: 295,
      duration: 12,
      upstream_service_time: "11",
      x_forwarded_for: "10.0.0.1",
      user_agent: "curl/8.0",
      request_id: "5f1c4a1e-8b7d-4c1e-9d7a-0b8c1d2e3f40",
      authority: "reviews:9080",
      upstream_host: "10.0.0.7:9080",
      upstream_cluster: "outbound|9080|v2|reviews.bookinfo.svc.cluster.local",
      upstream_transport_failure_reason: null,
      downstream_remote_address: null,
      downstream_local_address: null,
      upstream_request_attempt_count: 1,
      downstream_peer_uri_san: "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage",
      route_name: "reviews-v2",
      trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    });
  });

  it("logs unknown values as null and a failed request's flags comma-joined", () => {
    const line = JSON.parse(
      formatAccessLogLine({ startTime: entry.startTime, method: "GET", path: "/", protocol: "HTTP/2", responseCode: 503, responseFlags: "UF,URX", bytesReceived: 0, bytesSent: 91, durationMs: 3 }),
    );
    expect(line).toMatchObject({ response_code: 503, response_flags: "UF,URX", upstream_host: null, upstream_service_time: null, request_id: null });
  });

  it("prints a dash for empty response flags", () => {
    expect(JSON.parse(formatAccessLogLine({ ...entry, responseFlags: "" })).response_flags).toBe("-");
  });

  it("survives a start time that is not a number", () => {
    expect(JSON.parse(formatAccessLogLine({ ...entry, startTime: Number.NaN })).start_time).toBeNull();
  });
});

describe("parseAccessLogTarget", () => {
  it.each([
    [undefined, { type: "off" }],
    ["", { type: "off" }],
    ["off", { type: "off" }],
    ["stdout", { type: "stdout" }],
    ["-", { type: "stdout" }],
    ["/var/log/skein/access.log", { type: "file", path: "/var/log/skein/access.log" }],
  ])("reads %j as %j", (flag, expected) => {
    expect(parseAccessLogTarget(flag)).toEqual(expected);
  });
});

describe("StreamSink", () => {
  it("holds lines until the flush interval passes, then writes them in one chunk", () => {
    const timers = new ManualClock();
    const out = collector();
    const writes: string[] = [];
    out.stream.on("data", (c: Buffer) => writes.push(c.toString()));
    const sink = new StreamSink(out.stream, false, { timers, flushIntervalMs: 1000 });
    sink.write("a\n");
    sink.write("b\n");
    expect(out.text()).toBe("");
    timers.advance(999);
    expect(out.text()).toBe("");
    timers.advance(1);
    expect(out.text()).toBe("a\nb\n");
    expect(writes).toEqual(["a\nb\n"]);
    expect(sink.stats.written).toBe(2);
  });

  it("flushes as soon as the buffer reaches its size", () => {
    const timers = new ManualClock();
    const out = collector();
    const sink = new StreamSink(out.stream, false, { timers, flushBytes: 4 });
    sink.write("ab\n");
    expect(out.text()).toBe("");
    sink.write("cd\n");
    expect(out.text()).toBe("ab\ncd\n");
    expect(timers.pendingTimers).toBe(0);
  });

  it("drops and counts lines while the stream is backed up", () => {
    const stuck = new Writable({ highWaterMark: 1, write: () => {} }); // never calls back
    const sink = new StreamSink(stuck, false, { flushBytes: 1, maxPendingBytes: 5, timers: new ManualClock() });
    sink.write("123456\n");
    sink.write("next\n");
    expect(sink.stats).toEqual({ written: 1, dropped: 1, errors: 0 });
  });

  it("stops writing after a stream error instead of throwing", async () => {
    const failing = new Writable({ write: (_c, _e, cb) => cb(new Error("EPIPE")) });
    const sink = new StreamSink(failing, false, { flushBytes: 1, timers: new ManualClock() });
    sink.write("a\n");
    await vi.waitFor(() => expect(sink.stats.errors).toBe(1));
    sink.write("b\n");
    expect(sink.stats.errors).toBe(1);
    expect(sink.stats.dropped).toBe(1);
    await sink.close();
  });
});

describe("AccessLog", () => {
  it("appends to a file, keeping what was there, and flushes on close", async () => {
    const dir = mkdtempSync(join(tmpdir(), "skein-access-log-"));
    const path = join(dir, "access.log");
    writeFileSync(path, "earlier\n");
    const log = openAccessLog({ type: "file", path }, { timers: new ManualClock() });
    log.log(entry);
    log.log({ ...entry, responseCode: 404 });
    expect(readFileSync(path, "utf8")).toBe("earlier\n");
    await log.close();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines[0]).toBe("earlier");
    expect(lines.slice(1).map((l) => JSON.parse(l).response_code)).toEqual([200, 404]);
  });

  it("writes to stdout without closing it", async () => {
    const out = collector();
    const log = openAccessLog({ type: "stdout" }, { stdout: out.stream, timers: new ManualClock() });
    log.log(entry);
    await log.close();
    expect(JSON.parse(out.text()).path).toBe("/reviews/0");
    expect(out.stream.writableEnded).toBe(false);
  });

  it("writes nothing when off", async () => {
    const log = openAccessLog({ type: "off" });
    expect(() => log.log(entry)).not.toThrow();
    await log.close();
  });

  it("never throws on the data path, even when the sink does", () => {
    const log = new AccessLog({
      write() {
        throw new Error("disk full");
      },
      close: async () => {},
    });
    expect(() => log.log(entry)).not.toThrow();
  });

  it("does not throw when the file cannot be opened", async () => {
    const log = openAccessLog({ type: "file", path: join(tmpdir(), "no-such-dir-skein", "x", "access.log") }, { timers: new ManualClock() });
    const sink = log.sink as StreamSink;
    log.log(entry);
    await vi.waitFor(() => expect(sink.stats.errors).toBe(1));
    expect(() => log.log(entry)).not.toThrow();
    await log.close();
  });
});
