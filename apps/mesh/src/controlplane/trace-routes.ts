/**
 * Jaeger's query endpoints over the trace store: search, one trace by id, services and
 * their operations. Answers have Jaeger's envelope `{ data, total, limit, offset, errors }`.
 */
import { wallClock, type Clock } from "../proxy/clock.ts";
import { HttpError, type RouteDef } from "./http.ts";
import { normalizeTraceId, parseTraceSearch, toJaegerTraces } from "./trace-query.ts";
import type { TraceStore } from "./trace-store.ts";

export interface TraceRoutesDeps {
  store: Pick<TraceStore, "findTraceIds" | "spansOf" | "services" | "operations">;
  /** For `lookback` searches. */
  clock?: Clock;
}

function envelope<T>(data: T[]) {
  return { data, total: data.length, limit: 0, offset: 0, errors: null };
}

export function traceRoutes(deps: TraceRoutesDeps): RouteDef[] {
  const clock = deps.clock ?? wallClock;
  return [
    {
      method: "GET",
      path: "/api/traces",
      auth: "none",
      async handler({ url }) {
        const { filter, limit } = parseTraceSearch(url.searchParams, clock.now() * 1000);
        const ids = await deps.store.findTraceIds(filter, limit);
        return envelope(toJaegerTraces(ids, await deps.store.spansOf(ids)));
      },
    },
    {
      method: "GET",
      path: "/api/traces/:traceId",
      auth: "none",
      async handler({ params }) {
        const id = normalizeTraceId(params.traceId!);
        if (!id) throw new HttpError(400, "BadRequest", `trace id must be hex, got ${JSON.stringify(params.traceId)}`);
        const traces = toJaegerTraces([id], await deps.store.spansOf([id]));
        if (traces.length === 0) throw new HttpError(404, "NotFound", `trace ${id} not found`);
        return envelope(traces);
      },
    },
    {
      method: "GET",
      path: "/api/services",
      auth: "none",
      handler: async () => envelope(await deps.store.services()),
    },
    {
      method: "GET",
      path: "/api/services/:service/operations",
      auth: "none",
      async handler({ params }) {
        const ops = await deps.store.operations(params.service!);
        return envelope([...new Set(ops.map((o) => o.name))]);
      },
    },
    {
      // jaeger-query's newer form, with span kinds: /api/operations?service=&spanKind=
      method: "GET",
      path: "/api/operations",
      auth: "none",
      async handler({ url }) {
        const service = url.searchParams.get("service");
        if (!service) throw new HttpError(400, "BadRequest", "service is required");
        const kind = url.searchParams.get("spanKind")?.toUpperCase();
        const ops = await deps.store.operations(service);
        return envelope(ops.filter((o) => !kind || o.kind === kind).map((o) => ({ name: o.name, spanKind: o.kind === "UNSPECIFIED" ? "" : o.kind.toLowerCase() })));
      },
    },
  ];
}
