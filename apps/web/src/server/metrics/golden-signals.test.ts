import { describe, expect, it } from "vitest";
import { goldenSignalQueries, promString, rangeFor, targetSelector, toPoints } from "./golden-signals.ts";
import { parseMetricsRequest } from "./metrics-request.ts";
import { formatPromDuration, parsePromDuration } from "./window.ts";

describe("targetSelector", () => {
  it("reads a node's inbound requests from the server's proxy", () => {
    expect(targetSelector({ kind: "node", direction: "inbound", node: { namespace: "shop", app: "reviews", version: "v2" } })).toBe(
      'reporter="destination",destination_workload_namespace="shop",destination_canonical_service="reviews",destination_canonical_revision="v2"',
    );
  });
  it("reads a workload's outbound requests from its own proxy", () => {
    expect(targetSelector({ kind: "node", direction: "outbound", node: { namespace: "shop", workload: "productpage-v1", app: "productpage" } })).toBe(
      'reporter="source",source_workload_namespace="shop",source_workload="productpage-v1"',
    );
  });
  it("picks a service by its name and namespace", () => {
    expect(targetSelector({ kind: "node", direction: "inbound", node: { namespace: "shop", service: "reviews" } })).toBe(
      'reporter="destination",destination_service_name="reviews",destination_service_namespace="shop"',
    );
  });
  it("reads an edge from the caller's proxy", () => {
    expect(targetSelector({ kind: "edge", source: { namespace: "shop", app: "productpage", version: "v1", workload: "productpage-v1" }, destination: { namespace: "shop", service: "reviews" } })).toBe(
      'reporter="source",source_workload_namespace="shop",source_workload="productpage-v1",destination_service_name="reviews",destination_service_namespace="shop"',
    );
  });
  it("reads an edge from outside the mesh from the server's proxy", () => {
    expect(targetSelector({ kind: "edge", source: { namespace: "unknown", workload: "unknown" }, destination: { namespace: "shop", service: "productpage" } })).toBe(
      'reporter="destination",source_workload="unknown",destination_service_name="productpage",destination_service_namespace="shop"',
    );
  });
  it("reads the injected service hop as the requests to that service the workload answered", () => {
    expect(targetSelector({ kind: "edge", source: { namespace: "shop", service: "reviews" }, destination: { namespace: "shop", app: "reviews", version: "v3", workload: "reviews-v3" } })).toBe(
      'reporter="source",destination_service_name="reviews",destination_service_namespace="shop",destination_workload_namespace="shop",destination_workload="reviews-v3"',
    );
  });
  it("reads a service-graph edge as the source service's callers", () => {
    expect(targetSelector({ kind: "edge", source: { namespace: "shop", service: "reviews" }, destination: { namespace: "shop", service: "ratings" } })).toBe(
      'reporter="source",source_workload_namespace="shop",source_canonical_service="reviews",destination_service_name="ratings",destination_service_namespace="shop"',
    );
  });
});

describe("promString", () => {
  it("escapes quotes and backslashes so a value cannot end the matcher", () => {
    expect(promString('a"}or vector(1)#\\')).toBe('"a\\"}or vector(1)#\\\\"');
  });
});

describe("goldenSignalQueries", () => {
  const target = { kind: "node", direction: "inbound", node: { namespace: "shop", service: "reviews" } } as const;
  it("asks for rate, 5xx share and three percentiles over one rate interval", () => {
    const plan = goldenSignalQueries(target, 300, 1_700_000_000);
    expect(plan).toMatchObject({ start: 1_699_999_700, end: 1_700_000_000, step: 5, rateInterval: 60 });
    const sel = 'reporter="destination",destination_service_name="reviews",destination_service_namespace="shop"';
    expect(plan.queries.rate).toBe(`sum(rate(istio_requests_total{${sel}}[60s]))`);
    expect(plan.queries.errorRate).toBe(
      `100 * (sum(rate(istio_requests_total{${sel},response_code=~"5.."}[60s])) or on() vector(0)) / sum(rate(istio_requests_total{${sel}}[60s]))`,
    );
    expect(plan.queries.p99).toBe(`histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{${sel}}[60s])) by (le))`);
    expect(plan.queries.p50).toContain("histogram_quantile(0.5,");
  });
});

describe("rangeFor", () => {
  it.each([
    [60, 5, 60],
    [3600, 40, 80],
    [86_400, 865, 1730],
  ])("a %ds window steps by %ds with a %ds rate interval", (windowS, step, rateInterval) => {
    expect(rangeFor(windowS, 0)).toMatchObject({ step, rateInterval });
  });
  it("keeps a step the caller chose", () => {
    expect(rangeFor(600, 1000, 30)).toEqual({ start: 400, end: 1000, step: 30, rateInterval: 60 });
  });
});

describe("toPoints", () => {
  it("keeps finite samples of the first series as numbers", () => {
    expect(
      toPoints([
        {
          values: [
            [10, "1.5"],
            [15, "NaN"],
            [20, "+Inf"],
            [25, "0"],
          ],
        },
      ]),
    ).toEqual([
      [10, 1.5],
      [25, 0],
    ]);
    expect(toPoints([])).toEqual([]);
  });
});

describe("parseMetricsRequest", () => {
  const parse = (q: string) => parseMetricsRequest(new URLSearchParams(q));

  it("reads a node with defaults", () => {
    expect(parse("namespace=shop&app=reviews&version=v2")).toEqual({
      ok: true,
      value: { target: { kind: "node", direction: "inbound", node: { namespace: "shop", app: "reviews", version: "v2" } }, windowS: 300 },
    });
  });
  it("reads an edge from the source fields", () => {
    const r = parse("namespace=shop&service=reviews&sourceNamespace=shop&sourceWorkload=productpage-v1&duration=1h&queryTime=1700000000&step=30");
    expect(r).toEqual({
      ok: true,
      value: { target: { kind: "edge", source: { namespace: "shop", workload: "productpage-v1" }, destination: { namespace: "shop", service: "reviews" } }, windowS: 3600, queryTime: 1_700_000_000, step: 30 },
    });
  });
  it.each([
    ["app=reviews", "namespace"],
    ["namespace=shop", "app"],
    ['namespace=shop&app=re"views', "app"],
    ["namespace=shop&app=reviews&duration=30s", "duration"],
    ["namespace=shop&app=reviews&duration=2d", "duration"],
    ["namespace=shop&app=reviews&duration=fast", "duration"],
    ["namespace=shop&app=reviews&direction=sideways", "direction"],
    ["namespace=shop&app=reviews&sourceWorkload=productpage-v1", "sourceNamespace"],
    ["namespace=shop&service=reviews&direction=outbound", "direction"],
    ["namespace=shop&app=reviews&queryTime=yesterday", "queryTime"],
    ["namespace=shop&version=v1&workload=x", "version"],
  ])("rejects %s naming %s", (q, field) => {
    const r = parse(q);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.field).toBe(field);
  });
});

describe("window durations", () => {
  it.each([
    ["60s", 60],
    ["5m", 300],
    ["1h30m", 5400],
    ["1d", 86_400],
  ])("%s is %d s", (text, seconds) => {
    expect(parsePromDuration(text)).toBe(seconds);
  });
  it("rejects text that is not a duration", () => {
    expect(parsePromDuration("5 m")).toBeUndefined();
    expect(parsePromDuration("")).toBeUndefined();
  });
  it.each([
    [86_400, "1d"],
    [3600, "1h"],
    [300, "5m"],
    [90, "90s"],
  ])("%d s prints as %s", (seconds, text) => {
    expect(formatPromDuration(seconds)).toBe(text);
  });
});
