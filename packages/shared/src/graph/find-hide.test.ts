import { describe, expect, it } from "vitest";
import { hideGraph, parseFindHide, type FindHideMatcher } from "./find-hide.ts";
import type { GraphEdge, GraphNode, HealthStatus } from "./types.ts";

const health = (status: HealthStatus, errorRate = 0) => ({ status, errorRate, requestRate: 1 });
const traffic = (inbound: number) => ({ in: inbound, out: 0, tcpIn: 0, tcpOut: 0 });

const nodes: Record<string, GraphNode> = {
  reviews: { id: "svc:shop:reviews", type: "service", namespace: "shop", service: "reviews", health: health("healthy"), traffic: traffic(10) },
  reviewsV2: {
    id: "vapp:shop:reviews-v2",
    type: "app",
    namespace: "shop",
    app: "reviews",
    version: "v2",
    workload: "reviews-v2",
    health: health("failure", 25),
    traffic: traffic(4),
  },
  ratings: { id: "wl:data:ratings-v1", type: "workload", namespace: "data", workload: "ratings-v1", app: "ratings", version: "v1", isOutside: true, health: health("degraded", 2), traffic: traffic(1) },
  unknown: { id: "unknown", type: "unknown", namespace: "unknown", isRoot: true, health: health("healthy"), traffic: traffic(0) },
};

const edgeOf = (over: Partial<GraphEdge>): GraphEdge => ({
  id: "e",
  source: "a",
  target: "b",
  protocol: "http",
  rate: 1,
  errorRate: 0,
  responseCodes: {},
  mtls: 1,
  health: health("healthy"),
  ...over,
});

const edges: Record<string, GraphEdge> = {
  slow: edgeOf({ id: "slow", p95Ms: 800, rate: 3 }),
  fast: edgeOf({ id: "fast", p95Ms: 20, rate: 2 }),
  failing: edgeOf({ id: "failing", errorRate: 12, health: health("failure", 12), rate: 0.5 }),
  grpc: edgeOf({ id: "grpc", protocol: "grpc", rate: 8 }),
  plain: edgeOf({ id: "plain", mtls: 0, rate: 5 }),
  tcp: edgeOf({ id: "tcp", protocol: "tcp", rate: 1000, mtls: 0.5 }),
};

function matching(expr: string): string[] {
  const parsed = parseFindHide(expr);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const m: FindHideMatcher = parsed.matcher;
  return [
    ...Object.entries(nodes).filter(([, n]) => m.node(n)).map(([k]) => k),
    ...Object.entries(edges).filter(([, e]) => m.edge(e)).map(([k]) => `edge:${k}`),
  ];
}

describe("parseFindHide matches", () => {
  it.each([
    { expr: "rt > 500", want: ["edge:slow"] },
    { expr: "responsetime <= 20", want: ["edge:fast"] },
    { expr: "%error > 1", want: ["reviewsV2", "ratings", "edge:failing"] },
    { expr: "%error >= 12%", want: ["reviewsV2", "edge:failing"] },
    { expr: "rate >= 2", want: ["reviews", "reviewsV2", "edge:slow", "edge:fast", "edge:grpc", "edge:plain", "edge:tcp"] },
    { expr: "name = reviews", want: ["reviews", "reviewsV2"] },
    { expr: "name = reviews-v2", want: ["reviewsV2"] },
    { expr: "name != reviews", want: ["ratings", "unknown"] },
    { expr: "name = unknown", want: ["unknown"] },
    { expr: "name contains view", want: ["reviews", "reviewsV2"] },
    { expr: "name !startswith rev", want: ["ratings", "unknown"] },
    { expr: "workload endswith -v1", want: ["ratings"] },
    { expr: "namespace = shop", want: ["reviews", "reviewsV2"] },
    { expr: "ns = data", want: ["ratings"] },
    { expr: "version = v2", want: ["reviewsV2"] },
    { expr: "app = ratings", want: ["ratings"] },
    { expr: "svc = reviews", want: ["reviews"] },
    { expr: "node = service", want: ["reviews"] },
    { expr: "protocol = grpc", want: ["edge:grpc"] },
    { expr: "PROTOCOL = TCP", want: ["edge:tcp"] },
    { expr: "mtls = false", want: ["edge:plain"] },
    { expr: "mtls", want: ["edge:slow", "edge:fast", "edge:failing", "edge:grpc", "edge:tcp"] },
    { expr: "!mtls", want: ["edge:plain"] },
    { expr: "not (name = reviews)", want: ["ratings", "unknown"] },
    { expr: "namespace = shop and rt > 500", want: [] },
    { expr: "namespace = data or rt > 500", want: ["ratings", "edge:slow"] },
    { expr: "healthy", want: ["reviews", "unknown", "edge:slow", "edge:fast", "edge:grpc", "edge:plain", "edge:tcp"] },
    { expr: "degraded", want: ["ratings"] },
    { expr: "failure", want: ["reviewsV2", "edge:failing"] },
    { expr: "idle", want: [] },
    { expr: "root", want: ["unknown"] },
    { expr: "outside", want: ["ratings"] },
    { expr: "rt > 500 or %error > 10", want: ["reviewsV2", "edge:slow", "edge:failing"] },
    { expr: "namespace = shop and failure", want: ["reviewsV2"] },
    { expr: "protocol = http and mtls = false or protocol = grpc", want: ["edge:grpc", "edge:plain"] },
    { expr: "protocol = http and (mtls = false or rt > 500)", want: ["edge:slow", "edge:plain"] },
    { expr: "not healthy and namespace = shop", want: ["reviewsV2"] },
    { expr: 'name = "reviews"', want: ["reviews", "reviewsV2"] },
    { expr: "  rt>500  ", want: ["edge:slow"] },
  ])("`$expr`", ({ expr, want }) => {
    expect(matching(expr)).toEqual(want);
  });
});

describe("parseFindHide errors", () => {
  it.each([
    { expr: "", column: 1, expected: "a field or a flag", found: undefined },
    { expr: "rt >", column: 5, expected: "a number", found: undefined },
    { expr: "rt > fast", column: 6, expected: "a number", found: "fast" },
    { expr: "rt 500", column: 4, expected: "an operator (=, !=, >, >=, <, <=)", found: "500" },
    { expr: "latency > 5", column: 1, expected: "a field or a flag", found: "latency" },
    { expr: "protocol = ftp", column: 12, expected: "one of http, grpc, tcp", found: "ftp" },
    { expr: "protocol > http", column: 10, expected: "an operator (=, !=)", found: ">" },
    { expr: "mtls = maybe", column: 8, expected: "true or false", found: "maybe" },
    { expr: "rt > 5 xor %error > 1", column: 8, expected: "and, or or the end of the expression", found: "xor" },
    { expr: "rt > 5 and", column: 11, expected: "a field or a flag", found: undefined },
    { expr: "(rt > 5 or healthy", column: 19, expected: ")", found: undefined },
    { expr: "name = 'reviews", column: 16, expected: "closing '", found: undefined },
    { expr: "healthy = true", column: 9, expected: "and, or or the end of the expression", found: "=" },
  ])("`$expr` expects $expected at column $column", ({ expr, column, expected, found }) => {
    const parsed = parseFindHide(expr);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.column).toBe(column);
    expect(parsed.error.expected).toContain(expected);
    expect(parsed.error.found).toBe(found);
    expect(parsed.error.message).toMatch(new RegExp(`^column ${column}: expected `));
  });
});

describe("hideGraph", () => {
  const graph = {
    nodes: [
      { ...nodes.reviews!, id: "box:app:shop:reviews", type: "box" as const, box: "app" as const },
      { ...nodes.reviewsV2!, parent: "box:app:shop:reviews" },
      { ...nodes.reviews! },
      { ...nodes.unknown! },
    ],
    edges: [
      edgeOf({ id: "in", source: "unknown", target: "svc:shop:reviews" }),
      edgeOf({ id: "to-v2", source: "svc:shop:reviews", target: "vapp:shop:reviews-v2", p95Ms: 900 }),
      edgeOf({ id: "slow", source: "unknown", target: "svc:shop:reviews", p95Ms: 900 }),
    ],
  };

  it("drops matching nodes with their edges and the boxes they emptied", () => {
    const parsed = parseFindHide("version = v2");
    if (!parsed.ok) throw new Error(parsed.error.message);
    const g = hideGraph(graph, parsed.matcher);
    expect(g.nodes.map((n) => n.id)).toEqual(["svc:shop:reviews", "unknown"]);
    expect(g.edges.map((e) => e.id)).toEqual(["in", "slow"]);
  });

  it("drops matching edges and keeps their nodes", () => {
    const parsed = parseFindHide("rt > 500");
    if (!parsed.ok) throw new Error(parsed.error.message);
    const g = hideGraph(graph, parsed.matcher);
    expect(g.edges.map((e) => e.id)).toEqual(["in"]);
    expect(g.nodes).toHaveLength(4);
  });
});
