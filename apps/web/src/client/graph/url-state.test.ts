import { describe, expect, it } from "vitest";
import { DEFAULT_VIEW, drawsBeforeResponseTime, graphApiPath, graphQueryParams, needsResponseTime, readView, refreshMs, writeView, type GraphView } from "./url-state.ts";

describe("graph view in the URL", () => {
  it("round-trips every field", () => {
    const view: GraphView = {
      namespaces: ["shop", "other"],
      graphType: "workload",
      duration: "1h",
      refresh: "off",
      edgeLabel: "p95",
      idleEdges: true,
      find: "rt > 500",
      hide: "name = traffic",
      selected: "svc:shop:reviews->vapp:shop:reviews-v2:http",
    };
    expect(readView(new URLSearchParams(writeView(view)))).toEqual(view);
  });

  it("writes nothing for the default view", () => {
    expect(writeView(DEFAULT_VIEW)).toBe("");
  });

  it("keeps an explicit empty namespace choice apart from none in the URL", () => {
    expect(readView(new URLSearchParams("namespaces=")).namespaces).toEqual([]);
    expect(readView(new URLSearchParams("")).namespaces).toBeUndefined();
    expect(writeView({ ...DEFAULT_VIEW, namespaces: [] })).toBe("namespaces=");
  });

  it("falls back to defaults for values it does not know", () => {
    const view = readView(new URLSearchParams("graphType=pods&duration=2w&refresh=1s&edgeLabel=bytes&idleEdges=yes"));
    expect(view).toEqual({ ...DEFAULT_VIEW });
  });

  it("drops duplicate and blank namespaces", () => {
    expect(readView(new URLSearchParams("namespaces=shop,,shop, other")).namespaces).toEqual(["shop", "other"]);
  });

  it("gives each refresh choice its interval", () => {
    expect(refreshMs("off")).toBe(0);
    expect(refreshMs("1m")).toBe(60_000);
  });
});

describe("needsResponseTime", () => {
  it("asks for p95 only for the P95 label or an rt expression", () => {
    expect(needsResponseTime({ edgeLabel: "p95", find: "", hide: "" })).toBe(true);
    expect(needsResponseTime({ edgeLabel: "rate", find: "rt > 500", hide: "" })).toBe(true);
    expect(needsResponseTime({ edgeLabel: "rate", find: "", hide: "responseTime < 10" })).toBe(true);
    expect(needsResponseTime({ edgeLabel: "rate", find: "%error > 1", hide: "name = traffic" })).toBe(false);
    expect(needsResponseTime({ edgeLabel: "errorRate", find: "name = alerts", hide: "" })).toBe(false);
  });
});

describe("drawsBeforeResponseTime", () => {
  it("draws first when only labels or find use response times, never when hide does", () => {
    expect(drawsBeforeResponseTime({ edgeLabel: "p95", find: "", hide: "" })).toBe(true);
    expect(drawsBeforeResponseTime({ edgeLabel: "rate", find: "rt > 500", hide: "" })).toBe(true);
    expect(drawsBeforeResponseTime({ edgeLabel: "p95", find: "", hide: "rt > 500" })).toBe(false);
    expect(drawsBeforeResponseTime({ edgeLabel: "rate", find: "", hide: "" })).toBe(false);
  });
});

describe("graphApiPath", () => {
  it("names every parameter the graph API reads, in one fixed order", () => {
    const view = readView(new URLSearchParams("namespaces=shop,bank&graphType=workload&duration=5m&edgeLabel=p95"));
    expect(graphApiPath(graphQueryParams(view, view.namespaces!))).toBe("/api/graph?namespaces=shop%2Cbank&graphType=workload&duration=5m&idleEdges=false&responseTime=true");
    expect(graphApiPath(graphQueryParams({ ...view, edgeLabel: "rate" }, ["shop"]))).toBe("/api/graph?namespaces=shop&graphType=workload&duration=5m&idleEdges=false&responseTime=false");
  });
});
