/**
 * The trace path end to end: two sidecars' real OTLP exporters post a CLIENT and a SERVER
 * span of one request to the control plane's receiver over HTTP; the Jaeger-shaped query
 * API returns them as one trace. Real HTTP on 127.0.0.1, SQLite in a temp dir.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JaegerTrace } from "@skein/shared";
import { Router } from "../../src/controlplane/router.ts";
import { otlpRoutes } from "../../src/controlplane/otlp-receiver.ts";
import { traceRoutes } from "../../src/controlplane/trace-routes.ts";
import { TraceStore, type TraceStoreOptions } from "../../src/controlplane/trace-store.ts";
import { ManualClock } from "../../src/proxy/clock.ts";
import { OtlpExporter } from "../../src/proxy/telemetry/otlp-exporter.ts";
import { buildSpan, type SpanInput, type SpanNode } from "../../src/proxy/telemetry/tracing.ts";
import { openDatabase } from "../../src/store/db.ts";
import { migrate } from "../../src/store/migrate.ts";

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

interface ControlPlane {
  url: string;
  store: TraceStore;
  get<T = { data: JaegerTrace[] }>(path: string): Promise<{ status: number; body: T }>;
}

/** The receiver and the query API on one HTTP server, as the control plane serves them. */
async function startControlPlane(options: TraceStoreOptions = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), "skein-traces-it-"));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  migrate(join(dir, "skein.db"));
  const db = openDatabase(`file:${join(dir, "skein.db")}`);
  closers.push(() => db.$disconnect());
  const store = new TraceStore(db, options);
  closers.push(() => store.stop());
  const router = new Router({ admin: () => undefined, sidecar: () => undefined }).add(...otlpRoutes({ store }), ...traceRoutes({ store, ...(options.clock ? { clock: options.clock } : {}) }));
  const server: Server = createServer((req, res) => void router.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    async get<T>(path: string) {
      const res = await fetch(url + path);
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

function node(service: string, version: string): SpanNode {
  return { id: `sidecar~127.0.0.1~${service}-${version}.default~default.svc.cluster.local`, namespace: "default", canonicalService: service, canonicalRevision: version };
}

/** A sidecar's exporter, as `skein proxy --trace-endpoint` makes it. */
function exporter(cp: ControlPlane, service: string): OtlpExporter {
  const e = new OtlpExporter({ endpoint: `${cp.url}/v1/traces`, serviceName: `${service}.default` });
  closers.push(() => e.shutdown());
  return e;
}

let idSeq = 0x1000;
const nextId = (digits: number) => (idSeq++).toString(16).padStart(digits, "a");

interface Hop {
  traceId: string;
  client: SpanInput;
  server: SpanInput;
}

/**
 * One request productpage -> reviews: productpage's outbound sidecar reports the CLIENT
 * span, reviews' inbound sidecar a SERVER span whose parent is that client span.
 */
function hop(o: { startMs: number; ms: number; status?: number; traceId?: string; parent?: string; path?: string }): Hop {
  const traceId = o.traceId ?? nextId(32);
  const clientId = nextId(16);
  const common = { method: "GET", url: `http://reviews:9080${o.path ?? "/reviews/0"}`, protocol: "HTTP/1.1", statusCode: o.status ?? 200, responseFlags: "", name: "reviews.default.svc.cluster.local:9080/*" };
  return {
    traceId,
    client: { ...common, kind: "CLIENT", context: { traceId, spanId: clientId, sampled: true, ...(o.parent ? { parentSpanId: o.parent } : {}) }, startMs: o.startMs, endMs: o.startMs + o.ms, upstreamCluster: "outbound|9080||reviews.default.svc.cluster.local", node: node("productpage", "v1") },
    server: { ...common, kind: "SERVER", context: { traceId, spanId: nextId(16), parentSpanId: clientId, sampled: true }, startMs: o.startMs + 0.4, endMs: o.startMs + o.ms - 0.3, node: node("reviews", "v2") },
  };
}

async function report(cp: ControlPlane, hops: Hop[]): Promise<void> {
  const productpage = exporter(cp, "productpage");
  const reviews = exporter(cp, "reviews");
  for (const h of hops) {
    productpage.export(buildSpan(h.client));
    reviews.export(buildSpan(h.server));
  }
  await Promise.all([productpage.flush(), reviews.flush()]);
  expect([productpage.stats, reviews.stats]).toEqual([
    { exported: hops.length, dropped: 0, failed: 0 },
    { exported: hops.length, dropped: 0, failed: 0 },
  ]);
}

const NOW_MS = Date.now();

describe("traces through the control plane", () => {
  it("stores the CLIENT and SERVER spans of a request chain and returns them as one trace", async () => {
    const cp = await startControlPlane();
    const h = hop({ startMs: NOW_MS, ms: 12 });
    await report(cp, [h]);

    const search = await cp.get("/api/traces?service=reviews.default");
    expect(search.status).toBe(200);
    expect(search.body.data).toHaveLength(1);
    const trace = search.body.data[0]!;
    expect(trace.traceID).toBe(h.traceId);
    expect(trace.error).toBe(false);
    const [client, server] = trace.spans;
    expect(client).toMatchObject({ spanID: h.client.context.spanId, references: [], processID: "p1" });
    expect(server).toMatchObject({ spanID: h.server.context.spanId, references: [{ refType: "CHILD_OF", traceID: h.traceId, spanID: h.client.context.spanId }], processID: "p2" });
    expect(trace.processes).toEqual({ p1: { serviceName: "productpage.default", tags: [] }, p2: { serviceName: "reviews.default", tags: [] } });
    expect(client!.tags).toEqual(expect.arrayContaining([{ key: "span.kind", type: "string", value: "client" }, { key: "http.status_code", type: "int64", value: 200 }]));
    expect(client!.duration).toBe(12_000);

    const byId = await cp.get(`/api/traces/${h.traceId}`);
    expect(byId.body.data).toEqual([trace]);
    expect((await cp.get(`/api/traces/${"f".repeat(32)}`)).status).toBe(404);
  });

  it("ignores a batch an exporter sends again", async () => {
    const cp = await startControlPlane();
    const h = hop({ startMs: NOW_MS, ms: 5 });
    await report(cp, [h]);
    await report(cp, [h]);
    expect(await cp.store.count()).toBe(2);
  });

  it("finds traces by service, operation, duration and error", async () => {
    const cp = await startControlPlane();
    const fast = hop({ startMs: NOW_MS, ms: 4 });
    const slow = hop({ startMs: NOW_MS + 10, ms: 300 });
    const failed = hop({ startMs: NOW_MS + 20, ms: 30, status: 503 });
    await report(cp, [fast, slow, failed]);
    // A span reported by one service only: its trace is found by that service alone.
    const details = exporter(cp, "details");
    details.export(buildSpan({ ...hop({ startMs: NOW_MS + 30, ms: 2 }).server, name: "details.default.svc.cluster.local:9080/*", node: node("details", "v1") }));
    await details.flush();

    const ids = async (query: string) => (await cp.get(`/api/traces?${query}`)).body.data.map((t) => t.traceID);
    expect(await ids("service=productpage.default")).toEqual([failed.traceId, slow.traceId, fast.traceId]);
    expect(await ids("service=details.default")).toHaveLength(1);
    const detailsOp = encodeURIComponent("details.default.svc.cluster.local:9080/*");
    expect(await ids(`operation=${detailsOp}`)).toEqual(await ids("service=details.default"));
    expect(await ids(`service=reviews.default&operation=${detailsOp}`)).toEqual([]);
    expect(await ids("service=productpage.default&minDuration=100ms")).toEqual([slow.traceId]);
    expect(await ids("service=productpage.default&minDuration=10ms&maxDuration=0.1s")).toEqual([failed.traceId]);
    expect(await ids("service=productpage.default&error=true")).toEqual([failed.traceId]);
    expect(await ids(`service=reviews.default&tags=${encodeURIComponent('{"error":"true"}')}`)).toEqual([failed.traceId]);
    expect(await ids(`tags=${encodeURIComponent('{"http.status_code":"503"}')}`)).toEqual([failed.traceId]);
    expect(await ids("service=productpage.default&limit=2")).toEqual([failed.traceId, slow.traceId]);
    expect(await ids(`service=productpage.default&start=${(NOW_MS + 5) * 1000}&end=${(NOW_MS + 15) * 1000}`)).toEqual([slow.traceId]);

    const flagged = (await cp.get("/api/traces?service=productpage.default")).body.data.map((t) => [t.traceID, t.error]);
    expect(flagged).toEqual([
      [failed.traceId, true],
      [slow.traceId, false],
      [fast.traceId, false],
    ]);

    expect((await cp.get<{ data: string[] }>("/api/services")).body.data).toEqual(["details.default", "productpage.default", "reviews.default"]);
    expect((await cp.get<{ data: string[] }>("/api/services/reviews.default/operations")).body.data).toEqual(["reviews.default.svc.cluster.local:9080/*"]);
    expect((await cp.get("/api/traces?minDuration=soon")).status).toBe(400);
  });

  it("deletes spans older than the retention age and keeps younger traces", async () => {
    const clock = new ManualClock(NOW_MS);
    const cp = await startControlPlane({ clock, timers: clock, maxAgeMs: 3600_000, intervalMs: 60_000 });
    const old = hop({ startMs: NOW_MS - 2 * 3600_000, ms: 10 });
    const young = hop({ startMs: NOW_MS - 60_000, ms: 10 });
    await report(cp, [old, young]);
    expect((await cp.get("/api/traces?service=reviews.default")).body.data).toHaveLength(2);

    cp.store.startRetention();
    clock.advance(60_000);
    await cp.store.stop(); // waits for the retention run the timer started
    expect((await cp.get("/api/traces?service=reviews.default")).body.data.map((t) => t.traceID)).toEqual([young.traceId]);
    expect((await cp.get(`/api/traces/${old.traceId}`)).status).toBe(404);
  });

  it("refuses OTLP protobuf with 415 and says to send JSON", async () => {
    const cp = await startControlPlane();
    const res = await fetch(`${cp.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: new Uint8Array([0x0a, 0x00]) });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("application/json");
  });
});
