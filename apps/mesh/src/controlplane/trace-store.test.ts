import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../proxy/clock.ts";
import { openDatabase, type Database } from "../store/db.ts";
import { migrate } from "../store/migrate.ts";
import { spanWhere, tagSpellings, TraceStore, type SpanRecord } from "./trace-store.ts";

const HOUR_MS = 3600_000;
const NOW_MS = 1_700_000_000_000;
const NOW_US = NOW_MS * 1000;

let dir: string;
let db: Database;
const stores: TraceStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skein-traces-"));
  migrate(join(dir, "t.db"));
  db = openDatabase(`file:${join(dir, "t.db")}`);
});

afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
  await db.$disconnect();
  rmSync(dir, { recursive: true, force: true });
});

function store(options: ConstructorParameters<typeof TraceStore>[1] = {}) {
  const s = new TraceStore(db, options);
  stores.push(s);
  return s;
}

let seq = 0;
function span(over: Partial<SpanRecord> = {}): SpanRecord {
  seq++;
  return {
    traceId: seq.toString(16).padStart(32, "a"),
    spanId: seq.toString(16).padStart(16, "b"),
    service: "productpage.default",
    operation: "reviews:9080/*",
    kind: "CLIENT",
    startUs: NOW_US,
    durationUs: 1000,
    error: false,
    details: { attributes: {}, resource: {} },
    ...over,
  };
}

describe("TraceStore writes", () => {
  it("ignores a span it already holds, in the same batch or a later one", async () => {
    const s = store();
    const a = span();
    await s.insert([a, a, span()]);
    await s.insert([a]);
    expect(await s.count()).toBe(2);
  });

  it("groups concurrent inserts and stores every span of every request", async () => {
    const s = store();
    await Promise.all(Array.from({ length: 20 }, () => s.insert(Array.from({ length: 60 }, () => span()))));
    expect(await s.count()).toBe(1200);
  });

  it("reads the spans of more traces than one query can bind", async () => {
    const s = store();
    const spans = Array.from({ length: 1200 }, () => span());
    await s.insert(spans);
    expect(await s.spansOf(spans.map((x) => x.traceId))).toHaveLength(1200);
  });

  it("reads back what it stored, details included", async () => {
    const s = store();
    const a = span({ parentSpanId: "c".repeat(16), statusCode: 503, error: true, details: { attributes: { "http.status_code": 503 }, resource: { host: "h" }, statusMessage: "HTTP 503" } });
    await s.insert([a]);
    expect(await s.spansOf([a.traceId])).toEqual([a]);
  });
});

describe("TraceStore searches", () => {
  const T1 = "1".repeat(32);
  const T2 = "2".repeat(32);
  const T3 = "3".repeat(32);

  async function seeded() {
    const s = store();
    await s.insert([
      span({ traceId: T1, service: "productpage.default", operation: "GET /", startUs: NOW_US, durationUs: 50_000 }),
      span({ traceId: T1, service: "reviews.default", operation: "GET /reviews", kind: "SERVER", startUs: NOW_US + 10, durationUs: 40_000, error: true, statusCode: 503, details: { attributes: { response_flags: "UF", "http.status_code": 503 }, resource: {} } }),
      span({ traceId: T2, service: "productpage.default", operation: "GET /", startUs: NOW_US + 100, durationUs: 2_000 }),
      span({ traceId: T3, service: "details.default", operation: "GET /details", startUs: NOW_US + 200, durationUs: 500_000, details: { attributes: { response_flags: "UFX" }, resource: { zone: "a" } } }),
    ]);
    return s;
  }

  it.each([
    ["no filter, newest first", {}, [T3, T2, T1]],
    ["service", { service: "productpage.default" }, [T2, T1]],
    ["operation", { operation: "GET /reviews" }, [T1]],
    ["minDuration", { minDurationUs: 40_000 }, [T3, T1]],
    ["maxDuration", { maxDurationUs: 2_000 }, [T2]],
    ["error", { error: true }, [T1]],
    ["kind", { kind: "SERVER" }, [T1]],
    ["status code", { statusCode: 503 }, [T1]],
    ["time window", { startUs: NOW_US + 50, endUs: NOW_US + 150 }, [T2]],
    ["a tag, exactly (UF is not UFX)", { tags: { response_flags: "UF" } }, [T1]],
    ["a number tag given as text", { tags: { "http.status_code": "503" } }, [T1]],
    ["a resource attribute, as Jaeger searches process tags", { tags: { zone: "a" } }, [T3]],
    ["criteria that must hold on one span", { service: "productpage.default", error: true }, []],
  ])("finds traces by %s", async (_name, filter, want) => {
    expect(await (await seeded()).findTraceIds(filter, 10)).toEqual(want);
  });

  it("returns at most limit traces", async () => {
    expect(await (await seeded()).findTraceIds({}, 2)).toEqual([T3, T2]);
  });

  it("lists services and each service's operations with their kinds", async () => {
    const s = await seeded();
    expect(await s.services()).toEqual(["details.default", "productpage.default", "reviews.default"]);
    expect(await s.operations("reviews.default")).toEqual([{ name: "GET /reviews", kind: "SERVER" }]);
  });

  it("spells a tag value in each JSON form it may be stored in", () => {
    expect(tagSpellings("code", "503")).toEqual(['"code":"503"', '"code":503']);
    expect(tagSpellings("tls", "true")).toEqual(['"tls":"true"', '"tls":true']);
    expect(tagSpellings("f", "UF")).toEqual(['"f":"UF"']);
    expect(spanWhere({ tags: { f: "UF" } }).AND).toEqual([{ OR: [{ tags: { contains: '"f":"UF",' } }, { tags: { contains: '"f":"UF"}' } }] }]);
  });
});

describe("TraceStore retention", () => {
  it("deletes spans older than maxAge and keeps younger ones", async () => {
    const clock = new ManualClock(NOW_MS);
    const s = store({ clock, maxAgeMs: HOUR_MS });
    await s.insert([span({ startUs: NOW_US - 2 * HOUR_MS * 1000 }), span({ startUs: NOW_US - 30 * 60_000_000 }), span({ startUs: NOW_US })]);
    expect(await s.enforceRetention()).toEqual({ deletedByAge: 1, deletedByCount: 0, more: false });
    expect(await s.count()).toBe(2);
  });

  it("keeps at most maxSpans, deleting the oldest", async () => {
    const s = store({ clock: new ManualClock(NOW_MS), maxSpans: 3 });
    const spans = Array.from({ length: 5 }, (_, i) => span({ startUs: NOW_US - i }));
    await s.insert(spans);
    expect(await s.enforceRetention()).toEqual({ deletedByAge: 0, deletedByCount: 2, more: false });
    expect((await db.span.findMany({ orderBy: { startUs: "desc" } })).map((r) => Number(r.startUs))).toEqual([NOW_US, NOW_US - 1, NOW_US - 2]);
  });

  it("deletes more spans in one run than one query can bind", async () => {
    const s = store({ clock: new ManualClock(NOW_MS), maxAgeMs: HOUR_MS });
    await s.insert(Array.from({ length: 1500 }, () => span({ startUs: NOW_US - 2 * HOUR_MS * 1000 })));
    expect(await s.enforceRetention()).toEqual({ deletedByAge: 1500, deletedByCount: 0, more: false });
  });

  it("deletes at most maxDeletesPerRun per run and says more is due", async () => {
    const s = store({ clock: new ManualClock(NOW_MS), maxAgeMs: HOUR_MS, maxDeletesPerRun: 3 });
    await s.insert(Array.from({ length: 5 }, () => span({ startUs: NOW_US - 2 * HOUR_MS * 1000 })));
    expect(await s.enforceRetention()).toEqual({ deletedByAge: 3, deletedByCount: 0, more: true });
    expect(await s.enforceRetention()).toEqual({ deletedByAge: 2, deletedByCount: 0, more: false });
    expect(await s.count()).toBe(0);
  });

  it("runs on its interval once started, and stop() cancels the timer", async () => {
    const clock = new ManualClock(NOW_MS);
    const s = store({ clock, timers: clock, maxAgeMs: HOUR_MS, intervalMs: 60_000 });
    await s.insert([span({ startUs: NOW_US - 2 * HOUR_MS * 1000 })]);
    s.startRetention();
    expect(clock.pendingDelays()).toEqual([60_000]);
    clock.advance(60_000);
    await new Promise<void>((resolve) => {
      const check = async () => ((await s.count()) === 0 && clock.pendingTimers === 1 ? resolve() : setImmediate(check));
      void check();
    });
    await s.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
