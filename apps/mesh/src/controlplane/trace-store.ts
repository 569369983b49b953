/**
 * Spans in the database (Prisma model Span): batched writes that ignore spans already
 * stored, the searches behind the Jaeger-shaped query API, and retention by age and by
 * count with bounded work per run.
 */
import type { Database } from "../store/db.ts";
import { Prisma } from "../../../../prisma/generated/client.ts";
import { realTimers, wallClock, type Clock, type TimerFactory, type TimerHandle } from "../proxy/clock.ts";

export type TagValue = string | number | boolean;

/** What a span carries besides its columns; stored as JSON in `Span.tags`. */
export interface SpanDetails {
  /** Span attributes. */
  attributes: Record<string, TagValue>;
  /** Resource attributes other than service.name (Jaeger's process tags). */
  resource: Record<string, TagValue>;
  /** OTLP status message of an error span. */
  statusMessage?: string;
  /** Instrumentation scope name. */
  scope?: string;
  /** Span events (Jaeger's logs), unix µs. */
  events?: { timeUs: number; name: string; attributes: Record<string, TagValue> }[];
  /** Span links (Jaeger's FOLLOWS_FROM references). */
  links?: { traceId: string; spanId: string }[];
}

/** One span as the receiver produces it and the query API reads it. Ids are lower-case hex. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string;
  operation: string;
  /** OTLP span kind without its prefix: SERVER, CLIENT, INTERNAL, PRODUCER, CONSUMER, UNSPECIFIED. */
  kind: string;
  /** Unix microseconds. */
  startUs: number;
  durationUs: number;
  error: boolean;
  /** HTTP response status, when the span has one. */
  statusCode?: number;
  details: SpanDetails;
}

/** A span search; a trace matches when one of its spans matches every field given. */
export interface SpanFilter {
  service?: string;
  operation?: string;
  kind?: string;
  minDurationUs?: number;
  maxDurationUs?: number;
  error?: boolean;
  statusCode?: number;
  /** Unix µs bounds on the span's start. */
  startUs?: number;
  endUs?: number;
  /** Attribute or resource attribute equals the value (as Jaeger compares: as text). */
  tags?: Record<string, string>;
}

export interface RetentionOptions {
  /** Spans that started longer ago are deleted. Default 24 h. */
  maxAgeMs?: number;
  /** At most this many spans are kept, the oldest deleted first. Default 200,000. */
  maxSpans?: number;
  /** How often retention runs. Default 60 s. */
  intervalMs?: number;
  /** Rows deleted per run at most, so one run never holds the database for long. Default 10,000. */
  maxDeletesPerRun?: number;
}

export interface TraceStoreOptions extends RetentionOptions {
  /** Wall clock for span ages. */
  clock?: Clock;
  timers?: TimerFactory;
}

export interface RetentionResult {
  deletedByAge: number;
  deletedByCount: number;
  /** The run stopped at its budget: more is due. */
  more: boolean;
}

/** Spans per INSERT: 11 parameters each, well below SQLite's 32,766 and PostgreSQL's 65,535. */
const CHUNK = 500;
/** Values in one Prisma `in` list: its SQLite connector binds at most 999 parameters a query. */
const IN_CHUNK = 900;
/** Spans per transaction at most when requests are grouped. */
const MAX_GROUP = 5000;
/** `Span.durationUs` is a 32-bit column (about 35 minutes). */
const MAX_DURATION_US = 2 ** 31 - 1;
/** How soon a run that hit its budget is followed by the next. */
const CATCH_UP_MS = 1000;

interface PendingWrite {
  spans: readonly SpanRecord[];
  resolve(): void;
  reject(e: unknown): void;
}

export class TraceStore {
  readonly maxAgeMs: number;
  readonly maxSpans: number;
  private readonly intervalMs: number;
  private readonly maxDeletesPerRun: number;
  private readonly clock: Clock;
  private readonly timers: TimerFactory;
  private pending: PendingWrite[] = [];
  private writing: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private retaining: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    options: TraceStoreOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
    this.maxSpans = options.maxSpans ?? 200_000;
    this.intervalMs = options.intervalMs ?? 60_000;
    this.maxDeletesPerRun = options.maxDeletesPerRun ?? 10_000;
    this.clock = options.clock ?? wallClock;
    this.timers = options.timers ?? realTimers;
  }

  // ---- writes ----------------------------------------------------------------------

  /**
   * Stores spans, ignoring any whose (traceId, spanId) is already stored: exporters retry,
   * and a retried batch must not fail or double a span. Writes are serialised (SQLite has
   * one writer anyway); requests that arrive while one is written are grouped into the
   * next transaction (group commit), so many small exports cost few transactions.
   * Resolves once the spans are committed.
   */
  insert(spans: readonly SpanRecord[]): Promise<void> {
    if (spans.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ spans, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      // An insert that came after drain() saw the queue empty but before this ran.
      if (this.pending.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      let n = 0;
      let take = 0;
      while (take < this.pending.length && (take === 0 || n + this.pending[take]!.spans.length <= MAX_GROUP)) n += this.pending[take++]!.spans.length;
      const group = this.pending.splice(0, take);
      try {
        await this.write(group.flatMap((g) => g.spans));
        for (const g of group) g.resolve();
      } catch (e) {
        for (const g of group) g.reject(e);
      }
    }
  }

  private async write(spans: SpanRecord[]): Promise<void> {
    // One multi-row INSERT per chunk: ~10x faster than createMany through Prisma's query
    // engine (measured: 5,000 spans in 0.25 s against 2.4 s). ON CONFLICT DO NOTHING is
    // the same SQL in SQLite and PostgreSQL.
    const statements = [];
    for (let i = 0; i < spans.length; i += CHUNK) {
      const values = Prisma.join(spans.slice(i, i + CHUNK).map(toValues));
      statements.push(this.db.$executeRaw`INSERT INTO "Span" ("traceId", "spanId", "parentSpanId", "service", "operation", "kind", "startUs", "durationUs", "error", "statusCode", "tags") VALUES ${values} ON CONFLICT ("traceId", "spanId") DO NOTHING`);
    }
    await this.db.$transaction(statements);
  }

  // ---- reads -----------------------------------------------------------------------

  /** Ids of the traces with a span matching `filter`, the most recently active first. */
  async findTraceIds(filter: SpanFilter, limit: number): Promise<string[]> {
    const groups = await this.db.span.groupBy({
      by: ["traceId"],
      where: spanWhere(filter),
      _max: { startUs: true },
      orderBy: { _max: { startUs: "desc" } },
      take: limit,
    });
    return groups.map((g) => g.traceId);
  }

  /** Every stored span of these traces, by start time within each trace. */
  async spansOf(traceIds: readonly string[]): Promise<SpanRecord[]> {
    const out: SpanRecord[] = [];
    for (let i = 0; i < traceIds.length; i += IN_CHUNK) {
      const rows = await this.db.span.findMany({ where: { traceId: { in: traceIds.slice(i, i + IN_CHUNK) } }, orderBy: [{ startUs: "asc" }, { id: "asc" }] });
      for (const r of rows) out.push(fromRow(r));
    }
    return out;
  }

  async services(): Promise<string[]> {
    const groups = await this.db.span.groupBy({ by: ["service"], orderBy: { service: "asc" } });
    return groups.map((g) => g.service);
  }

  /** The operations of a service, with the span kinds each was seen with. */
  async operations(service: string): Promise<{ name: string; kind: string }[]> {
    const groups = await this.db.span.groupBy({ by: ["operation", "kind"], where: { service }, orderBy: [{ operation: "asc" }, { kind: "asc" }] });
    return groups.map((g) => ({ name: g.operation, kind: g.kind }));
  }

  async count(): Promise<number> {
    return this.db.span.count();
  }

  // ---- retention -------------------------------------------------------------------

  /**
   * One retention run: spans older than maxAge go first, then the oldest beyond maxSpans,
   * at most maxDeletesPerRun rows in all. Deletes by id in chunks, so each statement is
   * short and readers are not blocked for long.
   */
  async enforceRetention(): Promise<RetentionResult> {
    let budget = this.maxDeletesPerRun;
    const cutoffUs = BigInt(Math.floor((this.clock.now() - this.maxAgeMs) * 1000));
    const old = await this.db.span.findMany({ where: { startUs: { lt: cutoffUs } }, select: { id: true }, orderBy: { startUs: "asc" }, take: budget + 1 });
    const byAge = old.slice(0, budget);
    const deletedByAge = await this.deleteIds(byAge.map((r) => r.id));
    budget -= deletedByAge;
    let more = old.length > byAge.length;
    let deletedByCount = 0;
    if (!more) {
      const excess = (await this.db.span.count()) - this.maxSpans;
      if (excess > 0) {
        const oldest = await this.db.span.findMany({ select: { id: true }, orderBy: [{ startUs: "asc" }, { id: "asc" }], take: Math.min(excess, budget) });
        deletedByCount = await this.deleteIds(oldest.map((r) => r.id));
        more = excess > deletedByCount;
      }
    }
    return { deletedByAge, deletedByCount, more };
  }

  private async deleteIds(ids: number[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      deleted += (await this.db.span.deleteMany({ where: { id: { in: ids.slice(i, i + IN_CHUNK) } } })).count;
    }
    return deleted;
  }

  /** Runs retention every intervalMs (sooner while it is catching up) until stop(). */
  startRetention(): void {
    if (this.timer || this.stopped) return;
    this.schedule(this.intervalMs);
  }

  private schedule(ms: number): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      const run = this.enforceRetention().then(
        (r) => (r.more ? CATCH_UP_MS : this.intervalMs),
        (e: unknown) => {
          console.error("skein controlplane: span retention failed:", (e as Error).message);
          return this.intervalMs;
        },
      );
      this.retaining = run.then((next) => {
        this.retaining = undefined;
        if (!this.stopped) this.schedule(next);
      });
    }, ms);
  }

  /** Stops retention and waits for pending writes and a running retention pass. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await Promise.allSettled([this.writing, this.retaining]);
  }
}

function toValues(s: SpanRecord): Prisma.Sql {
  const durationUs = Math.min(Math.max(0, Math.round(s.durationUs)), MAX_DURATION_US);
  return Prisma.sql`(${s.traceId}, ${s.spanId}, ${s.parentSpanId ?? null}, ${s.service}, ${s.operation}, ${s.kind}, ${BigInt(Math.floor(s.startUs))}, ${durationUs}, ${s.error}, ${s.statusCode ?? null}, ${JSON.stringify(s.details)})`;
}

function fromRow(r: { traceId: string; spanId: string; parentSpanId: string | null; service: string; operation: string; kind: string; startUs: bigint; durationUs: number; error: boolean; statusCode: number | null; tags: string }): SpanRecord {
  let details: SpanDetails;
  try {
    details = JSON.parse(r.tags) as SpanDetails;
  } catch {
    details = { attributes: {}, resource: {} };
  }
  const s: SpanRecord = {
    traceId: r.traceId,
    spanId: r.spanId,
    service: r.service,
    operation: r.operation,
    kind: r.kind,
    startUs: Number(r.startUs),
    durationUs: r.durationUs,
    error: r.error,
    details: { ...details, attributes: details.attributes ?? {}, resource: details.resource ?? {} },
  };
  if (r.parentSpanId) s.parentSpanId = r.parentSpanId;
  if (r.statusCode !== null) s.statusCode = r.statusCode;
  return s;
}

/**
 * The filter as a Prisma where clause. Tags that have a column (error, span.kind,
 * http.status_code) use it; the others match the JSON text of `tags`: a key followed by
 * the value in each JSON spelling it may have, then `,` or `}` so that 50 does not match
 * 503. Inside a JSON string a quote is escaped, so `"key":` cannot match text inside a
 * value. Like Jaeger, this finds the key among span attributes, resource attributes and
 * event attributes alike.
 */
export function spanWhere(f: SpanFilter): Prisma.SpanWhereInput {
  const and: Prisma.SpanWhereInput[] = [];
  const where: Prisma.SpanWhereInput = {};
  if (f.service !== undefined) where.service = f.service;
  if (f.operation !== undefined) where.operation = f.operation;
  if (f.kind !== undefined) where.kind = f.kind;
  if (f.error !== undefined) where.error = f.error;
  if (f.statusCode !== undefined) where.statusCode = f.statusCode;
  if (f.minDurationUs !== undefined || f.maxDurationUs !== undefined) {
    where.durationUs = { ...(f.minDurationUs !== undefined ? { gte: Math.ceil(f.minDurationUs) } : {}), ...(f.maxDurationUs !== undefined ? { lte: Math.floor(f.maxDurationUs) } : {}) };
  }
  if (f.startUs !== undefined || f.endUs !== undefined) {
    where.startUs = { ...(f.startUs !== undefined ? { gte: BigInt(Math.floor(f.startUs)) } : {}), ...(f.endUs !== undefined ? { lte: BigInt(Math.floor(f.endUs)) } : {}) };
  }
  for (const [key, value] of Object.entries(f.tags ?? {})) {
    and.push({ OR: tagSpellings(key, value).flatMap((t) => [{ tags: { contains: `${t},` } }, { tags: { contains: `${t}}` } }]) });
  }
  if (and.length > 0) where.AND = and;
  return where;
}

/** `"key":value` for each JSON form an attribute equal to `value` (as text) can have. */
export function tagSpellings(key: string, value: string): string[] {
  const k = JSON.stringify(key);
  const out = [`${k}:${JSON.stringify(value)}`];
  if (value === "true" || value === "false") out.push(`${k}:${value}`);
  else if (value.trim() !== "" && Number.isFinite(Number(value))) out.push(`${k}:${JSON.stringify(Number(value))}`);
  return out;
}
