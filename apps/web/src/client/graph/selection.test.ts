import { describe, expect, it } from "vitest";
import type { JaegerTrace } from "@skein/shared/browser";
import type { EdgeData, NodeData } from "./elements.ts";
import { configParams, lookback, metricsParams, traceQuery, type Selection } from "./selection.ts";
import { newestFailing, slowest, summarizeTraces } from "./trace-picks.ts";

const node = (extra: Partial<NodeData> & Pick<NodeData, "id" | "nodeType">): NodeData => ({
  namespace: "shop",
  health: "healthy",
  badges: [],
  rate: 5,
  errorRate: 0,
  isRoot: false,
  isOutside: false,
  label: "",
  ...extra,
});

const productpage = node({ id: "vapp:shop:productpage-v1", nodeType: "app", app: "productpage", version: "v1", workload: "productpage-v1" });
const reviewsSvc = node({ id: "svc:shop:reviews", nodeType: "service", service: "reviews" });
const reviewsV2 = node({ id: "vapp:shop:reviews-v2", nodeType: "app", app: "reviews", version: "v2", workload: "reviews-v2" });
const trafficGen = node({ id: "vapp:shop:traffic", nodeType: "app", app: "traffic", version: "v1", workload: "traffic", isRoot: true, rate: 0 });
const edge = (source: NodeData, target: NodeData): EdgeData => ({
  id: `${source.id}->${target.id}:http`,
  source: source.id,
  target: target.id,
  protocol: "http",
  health: "healthy",
  isMTLS: 100,
  rate: 1,
  errorRate: 0,
  labelRate: "",
  labelErrorRate: "",
  labelP95: "",
});
const edgeSel = (s: NodeData, t: NodeData): Selection => ({ kind: "edge", edge: edge(s, t), source: s, target: t });

describe("metricsParams", () => {
  it("asks for a service's inbound requests", () => {
    expect(metricsParams({ kind: "node", node: reviewsSvc }, "5m")).toEqual({ namespace: "shop", service: "reviews", direction: "inbound", duration: "5m" });
  });
  it("asks for a traffic generator's outbound requests", () => {
    expect(metricsParams({ kind: "node", node: trafficGen }, "1m")).toEqual({ namespace: "shop", workload: "traffic", direction: "outbound", duration: "1m" });
  });
  it("names both ends of an edge", () => {
    expect(metricsParams(edgeSel(productpage, reviewsSvc), "5m")).toEqual({ namespace: "shop", service: "reviews", sourceNamespace: "shop", sourceWorkload: "productpage-v1", duration: "5m" });
  });
  it("names an app node without workload by app and version", () => {
    expect(metricsParams({ kind: "node", node: node({ id: "app:shop:reviews", nodeType: "app", app: "reviews" }) }, "5m")).toMatchObject({ app: "reviews" });
  });
  it("has nothing to ask about a box", () => {
    expect(metricsParams({ kind: "node", node: node({ id: "box:app:shop:reviews", nodeType: "box", box: "app", app: "reviews" }) }, "5m")).toBeUndefined();
  });
  it("names the caller outside the mesh as unknown", () => {
    const unknown = node({ id: "unknown", nodeType: "unknown", namespace: "unknown", isRoot: true });
    expect(metricsParams(edgeSel(unknown, reviewsSvc), "5m")).toMatchObject({ sourceNamespace: "unknown", sourceWorkload: "unknown" });
  });
});

describe("configParams", () => {
  it("gives a hop from a service to a version both the service and the workload", () => {
    expect(configParams(edgeSel(reviewsSvc, reviewsV2))).toEqual({ namespace: "shop", workload: "reviews-v2", service: "reviews" });
  });
  it("gives an edge into a service the service", () => {
    expect(configParams(edgeSel(productpage, reviewsSvc))).toEqual({ namespace: "shop", service: "reviews" });
  });
});

describe("traceQuery", () => {
  it("finds a version's server spans by canonical service and revision", () => {
    expect(traceQuery({ kind: "node", node: reviewsV2 })).toEqual({ service: "reviews.shop", tags: { "span.kind": "server", "istio.canonical_revision": "v2" } });
  });
  it("finds a traffic generator's client spans", () => {
    expect(traceQuery({ kind: "node", node: trafficGen })).toEqual({ service: "traffic.shop", tags: { "span.kind": "client", "istio.canonical_revision": "v1" } });
  });
  it("finds an edge's spans at its destination", () => {
    expect(traceQuery(edgeSel(productpage, reviewsSvc))).toEqual({ service: "reviews.shop", tags: { "span.kind": "server" } });
  });
  it("writes a day as hours of seconds for the trace API", () => {
    expect(lookback(86_400)).toBe("86400s");
  });
});

describe("trace picks", () => {
  const span = (traceID: string, id: string, service: string, kind: string, durationUs: number, startUs: number, status = 200) => ({
    trace: traceID,
    span: {
      traceID,
      spanID: id,
      operationName: `${service}:9080/*`,
      references: [],
      startTime: startUs,
      duration: durationUs,
      tags: [
        { key: "span.kind", type: "string" as const, value: kind },
        { key: "http.status_code", type: "int64" as const, value: status },
        { key: "istio.canonical_revision", type: "string" as const, value: "v2" },
      ],
      logs: [],
      processID: service,
      warnings: null,
    },
  });
  const trace = (id: string, spans: ReturnType<typeof span>[]): JaegerTrace => ({
    traceID: id,
    spans: spans.map((s) => s.span),
    processes: Object.fromEntries(spans.map((s) => [s.span.processID, { serviceName: s.span.processID, tags: [] }])),
    warnings: null,
    error: false,
  });
  const traces = [
    trace("t1", [span("t1", "a", "productpage.shop", "server", 900_000, 1_000), span("t1", "b", "reviews.shop", "server", 20_000, 2_000)]),
    trace("t2", [span("t2", "c", "reviews.shop", "server", 300_000, 5_000, 503)]),
    trace("t3", [span("t3", "d", "reviews.shop", "client", 999_000, 9_000)]),
    trace("t4", [span("t4", "e", "reviews.shop", "server", 50_000, 7_000, 500)]),
  ];
  const query = { service: "reviews.shop", tags: { "span.kind": "server", "istio.canonical_revision": "v2" } };

  it("times each trace by the selected node's own span", () => {
    const s = summarizeTraces(traces, query);
    expect(s.map((t) => [t.traceId, t.durationMs])).toEqual([
      ["t1", 20],
      ["t2", 300],
      ["t4", 50],
    ]);
  });
  it("orders the slowest first and the failing newest first", () => {
    const s = summarizeTraces(traces, query);
    expect(slowest(s, 2).map((t) => t.traceId)).toEqual(["t2", "t4"]);
    expect(newestFailing(s, 5).map((t) => t.traceId)).toEqual(["t4", "t2"]);
  });
});
