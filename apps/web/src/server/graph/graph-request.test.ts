import { describe, expect, it } from "vitest";
import { graphCacheKey, parseGraphRequest, parseNodeRefRequest } from "./graph-request.ts";

const parse = (q: string) => parseGraphRequest(new URLSearchParams(q));

describe("parseGraphRequest", () => {
  it("reads every parameter", () => {
    expect(parse("namespaces=shop,other&graphType=workload&duration=10m&idleEdges=true&responseTime=false&queryTime=1700000000")).toEqual({
      ok: true,
      value: { namespaces: ["other", "shop"], graphType: "workload", windowS: 600, window: "10m", includeIdleEdges: true, responseTime: false, queryTime: 1_700_000_000 },
    });
  });

  it("defaults to Kiali's versioned app graph over the last minute without idle edges", () => {
    expect(parse("namespaces=shop")).toEqual({ ok: true, value: { namespaces: ["shop"], graphType: "versionedApp", windowS: 60, window: "1m", includeIdleEdges: false, responseTime: true } });
  });

  it("accepts the window in any Prometheus unit", () => {
    const r = parse("namespaces=shop&duration=60s");
    expect(r.ok && r.value.window).toBe("1m");
    const day = parse("namespaces=shop&duration=1d");
    expect(day.ok && day.value.windowS).toBe(86_400);
  });

  it.each([
    ["", "namespaces"],
    ["namespaces=", "namespaces"],
    ["namespaces=Shop_1", "namespaces.0"],
    ["namespaces=shop&graphType=pods", "graphType"],
    ["namespaces=shop&duration=59s", "duration"],
    ["namespaces=shop&duration=25h", "duration"],
    ["namespaces=shop&idleEdges=maybe", "idleEdges"],
    ["namespaces=shop&queryTime=now", "queryTime"],
  ])("rejects %j naming %s", (q, field) => {
    const r = parse(q);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.field).toBe(field);
  });
});

describe("graphCacheKey", () => {
  it("is the same for the same view written differently", () => {
    const a = parse("namespaces=shop,other&duration=5m");
    const b = parse("namespaces=other,shop,shop&duration=300s&graphType=versionedApp");
    expect(a.ok && b.ok && graphCacheKey(a.value) === graphCacheKey(b.value)).toBe(true);
  });
  it("differs by graph type and idle edges", () => {
    const keys = ["namespaces=shop", "namespaces=shop&graphType=app", "namespaces=shop&idleEdges=true"].map((q) => {
      const r = parse(q);
      return r.ok ? graphCacheKey(r.value) : q;
    });
    expect(new Set(keys).size).toBe(3);
  });
});

describe("parseNodeRefRequest", () => {
  it("reads the names a node carries", () => {
    expect(parseNodeRefRequest(new URLSearchParams("namespace=shop&service=reviews&workload=reviews-v2"))).toEqual({
      ok: true,
      value: { namespace: "shop", service: "reviews", workload: "reviews-v2" },
    });
  });
  it("needs a name besides the namespace", () => {
    expect(parseNodeRefRequest(new URLSearchParams("namespace=shop"))).toMatchObject({ ok: false, field: "app" });
  });
});
