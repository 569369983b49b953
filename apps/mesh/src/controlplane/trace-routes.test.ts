import { describe, expect, it } from "vitest";
import { ManualClock } from "../proxy/clock.ts";
import { HttpError, type RequestContext } from "./http.ts";
import { traceRoutes, type TraceRoutesDeps } from "./trace-routes.ts";
import type { SpanFilter, SpanRecord } from "./trace-store.ts";

const T = "0000000000000000a3ce929d0e0e4736";

function fakeStore() {
  const searches: { filter: SpanFilter; limit: number }[] = [];
  const span: SpanRecord = { traceId: T, spanId: "b".repeat(16), service: "reviews.default", operation: "op", kind: "SERVER", startUs: 1, durationUs: 2, error: false, details: { attributes: {}, resource: {} } };
  const store: TraceRoutesDeps["store"] = {
    findTraceIds: async (filter, limit) => (searches.push({ filter, limit }), [T]),
    spansOf: async (ids) => (ids.includes(T) ? [span] : []),
    services: async () => ["reviews.default"],
    operations: async () => [
      { name: "GET /a", kind: "SERVER" },
      { name: "GET /a", kind: "CLIENT" },
      { name: "internal", kind: "UNSPECIFIED" },
    ],
  };
  return { store, searches };
}

function call(deps: TraceRoutesDeps, path: string, url: string, params: Record<string, string> = {}) {
  const route = traceRoutes(deps).find((r) => r.path === path)!;
  return route.handler({ url: new URL(url, "http://cp"), params } as unknown as RequestContext);
}

describe("traceRoutes", () => {
  it("serves every query route without auth", () => {
    expect(traceRoutes(fakeStore()).map((r) => `${r.method} ${r.path} ${r.auth}`)).toEqual([
      "GET /api/traces none",
      "GET /api/traces/:traceId none",
      "GET /api/services none",
      "GET /api/services/:service/operations none",
      "GET /api/operations none",
    ]);
  });

  it("searches with the parsed filter and answers Jaeger's envelope", async () => {
    const { store, searches } = fakeStore();
    const body = (await call({ store, clock: new ManualClock(10_000) }, "/api/traces", "/api/traces?service=reviews.default&lookback=1s&limit=5")) as { data: { traceID: string }[]; total: number; errors: null };
    expect(searches).toEqual([{ filter: { service: "reviews.default", startUs: 9_000_000 }, limit: 5 }]);
    expect(body).toMatchObject({ total: 1, limit: 0, offset: 0, errors: null });
    expect(body.data.map((t) => t.traceID)).toEqual([T]);
  });

  it("finds a trace by an id written without leading zeros, 404 when unknown, 400 when not hex", async () => {
    const { store } = fakeStore();
    expect(await call({ store }, "/api/traces/:traceId", "/", { traceId: "A3CE929D0E0E4736" })).toMatchObject({ data: [{ traceID: T }] });
    await expect(call({ store }, "/api/traces/:traceId", "/", { traceId: "1234" })).rejects.toMatchObject({ status: 404 });
    await expect(call({ store }, "/api/traces/:traceId", "/", { traceId: "zz" })).rejects.toBeInstanceOf(HttpError);
  });

  it("lists operation names once, and by span kind in the /api/operations form", async () => {
    const { store } = fakeStore();
    expect(await call({ store }, "/api/services/:service/operations", "/", { service: "reviews.default" })).toMatchObject({ data: ["GET /a", "internal"] });
    expect(await call({ store }, "/api/operations", "/api/operations?service=reviews.default&spanKind=server")).toMatchObject({ data: [{ name: "GET /a", spanKind: "server" }] });
    expect(await call({ store }, "/api/operations", "/api/operations?service=reviews.default")).toMatchObject({ data: [{ spanKind: "server" }, { spanKind: "client" }, { name: "internal", spanKind: "" }] });
  });
});
