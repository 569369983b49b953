import { describe, expect, it } from "vitest";
import { buildGraph } from "./build-graph.ts";
import { bothReporters, latency, OUTSIDE, requests, results, tcp, wl } from "./series.testing.ts";
import type { Graph, GraphOptions, GraphType, PromSample } from "./types.ts";

const productpage = wl("shop", "productpage-v1");
const reviewsV1 = wl("shop", "reviews-v1");
const reviewsV2 = wl("shop", "reviews-v2");
const ratings = wl("shop", "ratings-v1");
const mongodb = wl("data", "mongodb-v1");

/** The demo's shape: the internet calls productpage, which calls reviews (v2 fails 1 in 4), and so on. */
const shop = {
  requests: [
    requests({ reporter: "destination", from: OUTSIDE, to: productpage, policy: "none", value: 10 }),
    ...bothReporters({ from: productpage, to: reviewsV1, value: 6 }),
    ...bothReporters({ from: productpage, to: reviewsV2, value: 3 }),
    ...bothReporters({ from: productpage, to: reviewsV2, code: "503", value: 1 }),
    ...bothReporters({ from: reviewsV2, to: ratings, protocol: "grpc", grpc: "0", value: 4 }),
    // no healthy upstream: only the client reports, and no workload is named
    requests({ reporter: "source", from: productpage, service: { ns: "shop", name: "details" }, code: "503", value: 0.5 }),
  ],
  latency: [
    latency({ reporter: "destination", from: productpage, to: reviewsV1, value: 20 }),
    latency({ reporter: "source", from: productpage, to: reviewsV1, value: 25 }),
    latency({ reporter: "destination", from: productpage, to: reviewsV2, value: 120 }),
    latency({ reporter: "source", from: reviewsV2, to: ratings, protocol: "grpc", value: 8 }),
  ],
  tcpSent: [tcp({ reporter: "source", from: reviewsV1, to: mongodb, value: 1000 }), tcp({ reporter: "destination", from: reviewsV1, to: mongodb, value: 1000 })],
  tcpReceived: [tcp({ reporter: "source", from: reviewsV1, to: mongodb, value: 200 }), tcp({ reporter: "destination", from: reviewsV1, to: mongodb, value: 200 })],
};

const build = (graphType: GraphType = "versionedApp", parts: Parameters<typeof results>[0] = shop, extra: Partial<GraphOptions> = {}) =>
  buildGraph(results(parts), { graphType, namespaces: ["shop"], window: "5m", ...extra });
const node = (g: Graph, id: string) => g.nodes.find((n) => n.id === id);
const edge = (g: Graph, id: string) => g.edges.find((e) => e.id === id);

describe("buildGraph for each graph type on the same traffic", () => {
  it.each([
    {
      graphType: "versionedApp",
      nodes: ["box:ns:data", "box:ns:shop", "box:app:shop:reviews", "svc:data:mongodb", "svc:shop:details", "svc:shop:productpage", "svc:shop:ratings", "svc:shop:reviews", "unknown", "vapp:data:mongodb-v1", "vapp:shop:productpage-v1", "vapp:shop:ratings-v1", "vapp:shop:reviews-v1", "vapp:shop:reviews-v2"],
      edges: [
        "svc:data:mongodb->vapp:data:mongodb-v1:tcp",
        "svc:shop:productpage->vapp:shop:productpage-v1:http",
        "svc:shop:ratings->vapp:shop:ratings-v1:grpc",
        "svc:shop:reviews->vapp:shop:reviews-v1:http",
        "svc:shop:reviews->vapp:shop:reviews-v2:http",
        "unknown->svc:shop:productpage:http",
        "vapp:shop:productpage-v1->svc:shop:details:http",
        "vapp:shop:productpage-v1->svc:shop:reviews:http",
        "vapp:shop:reviews-v1->svc:data:mongodb:tcp",
        "vapp:shop:reviews-v2->svc:shop:ratings:grpc",
      ],
    },
    {
      graphType: "app",
      nodes: ["box:ns:data", "box:ns:shop", "app:data:mongodb", "app:shop:productpage", "app:shop:ratings", "app:shop:reviews", "svc:data:mongodb", "svc:shop:details", "svc:shop:productpage", "svc:shop:ratings", "svc:shop:reviews", "unknown"],
      edges: [
        "app:shop:productpage->svc:shop:details:http",
        "app:shop:productpage->svc:shop:reviews:http",
        "app:shop:reviews->svc:data:mongodb:tcp",
        "app:shop:reviews->svc:shop:ratings:grpc",
        "svc:data:mongodb->app:data:mongodb:tcp",
        "svc:shop:productpage->app:shop:productpage:http",
        "svc:shop:ratings->app:shop:ratings:grpc",
        "svc:shop:reviews->app:shop:reviews:http",
        "unknown->svc:shop:productpage:http",
      ],
    },
    {
      graphType: "workload",
      nodes: ["box:ns:data", "box:ns:shop", "box:app:shop:reviews", "svc:data:mongodb", "svc:shop:details", "svc:shop:productpage", "svc:shop:ratings", "svc:shop:reviews", "unknown", "wl:data:mongodb-v1", "wl:shop:productpage-v1", "wl:shop:ratings-v1", "wl:shop:reviews-v1", "wl:shop:reviews-v2"],
      edges: [
        "svc:data:mongodb->wl:data:mongodb-v1:tcp",
        "svc:shop:productpage->wl:shop:productpage-v1:http",
        "svc:shop:ratings->wl:shop:ratings-v1:grpc",
        "svc:shop:reviews->wl:shop:reviews-v1:http",
        "svc:shop:reviews->wl:shop:reviews-v2:http",
        "unknown->svc:shop:productpage:http",
        "wl:shop:productpage-v1->svc:shop:details:http",
        "wl:shop:productpage-v1->svc:shop:reviews:http",
        "wl:shop:reviews-v1->svc:data:mongodb:tcp",
        "wl:shop:reviews-v2->svc:shop:ratings:grpc",
      ],
    },
    {
      graphType: "service",
      nodes: ["box:ns:shop", "svc:data:mongodb", "svc:shop:details", "svc:shop:productpage", "svc:shop:ratings", "svc:shop:reviews", "unknown"],
      edges: [
        "svc:shop:productpage->svc:shop:details:http",
        "svc:shop:productpage->svc:shop:reviews:http",
        "svc:shop:reviews->svc:data:mongodb:tcp",
        "svc:shop:reviews->svc:shop:ratings:grpc",
        "unknown->svc:shop:productpage:http",
      ],
    },
  ] as const)("draws the $graphType graph", ({ graphType, nodes, edges }) => {
    const g = build(graphType);
    expect(g.nodes.map((n) => n.id)).toEqual(nodes);
    expect(g.edges.map((e) => e.id)).toEqual(edges);
    for (const e of g.edges) {
      expect(node(g, e.source)).toBeDefined();
      expect(node(g, e.target)).toBeDefined();
    }
  });

  it.each(["app", "versionedApp", "workload", "service"] as const)("carries the same 10 req/s into productpage in the %s graph", (graphType) => {
    expect(edge(build(graphType), "unknown->svc:shop:productpage:http")?.rate).toBe(10);
  });

  it("sums the versions of an app on the app graph's service edge, keeping the largest p95", () => {
    const e = edge(build("app"), "svc:shop:reviews->app:shop:reviews:http")!;
    expect(e).toMatchObject({ rate: 10, responseCodes: { "2xx": 9, "5xx": 1 }, errorRate: 10, p95Ms: 120, mtls: 1 });
  });

  it("folds a workload's calls into service -> service edges in the service graph", () => {
    const e = edge(build("service"), "svc:shop:productpage->svc:shop:reviews:http")!;
    expect(e).toMatchObject({ rate: 10, responseCodes: { "2xx": 9, "5xx": 1 }, mtls: 1, p95Ms: 120 });
    expect(node(build("service"), "unknown")).toMatchObject({ isRoot: true });
  });
});

describe("buildGraph counting", () => {
  it("counts a request that both proxies reported once", () => {
    const g = build("workload", { requests: bothReporters({ from: productpage, to: reviewsV1, value: 5 }) });
    expect(edge(g, "wl:shop:productpage-v1->svc:shop:reviews:http")?.rate).toBe(5);
    expect(edge(g, "svc:shop:reviews->wl:shop:reviews-v1:http")?.rate).toBe(5);
    expect(node(g, "wl:shop:reviews-v1")?.traffic.in).toBe(5);
  });

  it("draws no edge from a server's report of a meshed caller alone: the client's report is the count", () => {
    const g = build("workload", { requests: [requests({ reporter: "destination", from: productpage, to: reviewsV1, value: 5 })] });
    expect(g.edges).toEqual([]);
  });

  it("counts requests that failed before reaching a server, which only the client saw", () => {
    const e = edge(build(), "vapp:shop:productpage-v1->svc:shop:details:http")!;
    expect(e).toMatchObject({ rate: 0.5, responseCodes: { "5xx": 0.5 }, errorRate: 100, mtls: 0 });
    expect(e.health.status).toBe("failure");
  });

  it("ignores series that touch none of the requested namespaces", () => {
    const elsewhere = bothReporters({ from: wl("web", "front"), to: wl("web", "back"), value: 3 });
    expect(build("workload", { requests: [...shop.requests, ...elsewhere] }).nodes.some((n) => n.namespace === "web")).toBe(false);
  });
});

describe("buildGraph mTLS share", () => {
  it.each([
    { name: "all mutual_tls", policies: [["mutual_tls", 4]], want: 1 },
    { name: "three quarters mutual_tls", policies: [["mutual_tls", 3], ["none", 1]], want: 0.75 },
    { name: "plain text", policies: [["none", 4]], want: 0 },
    { name: "no server report (client says unknown)", policies: [], want: 0 },
  ] as const)("is $want for $name", ({ policies, want }) => {
    const server = policies.map(([policy, value]) => requests({ reporter: "destination", from: productpage, to: reviewsV1, policy, value }));
    const g = build("workload", { requests: [requests({ reporter: "source", from: productpage, to: reviewsV1, value: 4 }), ...server] });
    expect(edge(g, "wl:shop:productpage-v1->svc:shop:reviews:http")?.mtls).toBe(want);
    expect(edge(g, "svc:shop:reviews->wl:shop:reviews-v1:http")?.mtls).toBe(want);
    expect(edge(g, "wl:shop:productpage-v1->svc:shop:reviews:http")?.rate).toBe(4);
  });
});

describe("buildGraph health", () => {
  it.each([
    { name: "healthy with no errors", codes: [["200", 100]], status: "healthy" },
    { name: "degraded by any 5xx", codes: [["200", 999], ["503", 1]], status: "degraded" },
    { name: "failing at 10% 5xx", codes: [["200", 9], ["503", 1]], status: "failure" },
    { name: "healthy just under 10% 4xx", codes: [["200", 901], ["404", 99]], status: "healthy" },
    { name: "degraded at 10% 4xx", codes: [["200", 9], ["404", 1]], status: "degraded" },
    { name: "failing at 20% 4xx", codes: [["200", 4], ["404", 1]], status: "failure" },
  ] as const)("colours the callee node and its edges $name", ({ codes, status }) => {
    const traffic = codes.map(([code, value]) => requests({ reporter: "source", from: productpage, to: reviewsV1, code, value }));
    const g = build("workload", { requests: traffic });
    expect(node(g, "wl:shop:reviews-v1")?.health.status).toBe(status);
    expect(node(g, "svc:shop:reviews")?.health.status).toBe(status);
    expect(edge(g, "svc:shop:reviews->wl:shop:reviews-v1:http")?.health.status).toBe(status);
    // the caller is judged on what it receives: nothing, but it sends, so it is not idle
    expect(node(g, "wl:shop:productpage-v1")?.health.status).toBe("healthy");
  });

  it("judges an app box on the requests its versions receive", () => {
    const box = node(build(), "box:app:shop:reviews")!;
    expect(box).toMatchObject({ type: "box", box: "app", namespace: "shop", app: "reviews", parent: "box:ns:shop" });
    expect(box.health).toMatchObject({ status: "failure", errorRate: 10, requestRate: 10 });
    expect(node(build(), "vapp:shop:reviews-v2")).toMatchObject({ parent: "box:app:shop:reviews" });
    expect(node(build(), "vapp:shop:reviews-v2")?.health).toMatchObject({ status: "failure", errorRate: 25 });
  });
});

describe("buildGraph edges and nodes", () => {
  it("draws traffic from outside the mesh from a root 'unknown' node", () => {
    expect(node(build(), "unknown")).toEqual({
      id: "unknown",
      type: "unknown",
      namespace: "unknown",
      isRoot: true,
      health: { status: "healthy", errorRate: 0, requestRate: 0 },
      traffic: { in: 0, out: 10, tcpIn: 0, tcpOut: 0 },
    });
    expect(edge(build(), "unknown->svc:shop:productpage:http")?.mtls).toBe(0);
  });

  it("draws TCP edges in bytes per second with the server's mTLS", () => {
    expect(edge(build(), "vapp:shop:reviews-v1->svc:data:mongodb:tcp")).toEqual({
      id: "vapp:shop:reviews-v1->svc:data:mongodb:tcp",
      source: "vapp:shop:reviews-v1",
      target: "svc:data:mongodb",
      protocol: "tcp",
      rate: 1000,
      errorRate: 0,
      responseCodes: {},
      mtls: 1,
      tcp: { sentBytes: 1000, receivedBytes: 200 },
      health: { status: "healthy", errorRate: 0, requestRate: 0 },
    });
    expect(node(build(), "vapp:data:mongodb-v1")?.traffic).toEqual({ in: 0, out: 0, tcpIn: 1200, tcpOut: 0 });
  });

  it("marks nodes of namespaces not requested as outside", () => {
    const g = build();
    expect(node(g, "svc:data:mongodb")?.isOutside).toBe(true);
    expect(node(g, "box:ns:data")?.isOutside).toBe(true);
    expect(node(g, "svc:shop:reviews")?.isOutside).toBeUndefined();
  });

  it("keys gRPC responses by status name", () => {
    expect(edge(build(), "vapp:shop:reviews-v2->svc:shop:ratings:grpc")).toMatchObject({ protocol: "grpc", responseCodes: { OK: 4 }, errorRate: 0, p95Ms: 8 });
  });

  it("takes the server's p95 over the client's, and the client's where the server has none", () => {
    const g = build();
    expect(edge(g, "svc:shop:reviews->vapp:shop:reviews-v1:http")?.p95Ms).toBe(20);
    expect(edge(g, "svc:shop:ratings->vapp:shop:ratings-v1:grpc")?.p95Ms).toBe(8);
    expect(edge(g, "unknown->svc:shop:productpage:http")?.p95Ms).toBeUndefined();
  });

  it("boxes namespaces only when the graph spans more than one", () => {
    const g = build("workload", { requests: bothReporters({ from: productpage, to: reviewsV1, value: 1 }) });
    expect(g.nodes.filter((n) => n.type === "box")).toEqual([]);
  });
});

describe("buildGraph idle edges", () => {
  const idle = { requests: [...bothReporters({ from: productpage, to: reviewsV1, value: 2 }), ...bothReporters({ from: productpage, to: ratings, value: 0 })] };

  it("leaves out edges without traffic, and nodes only they reached", () => {
    const g = build("workload", idle);
    expect(g.edges.map((e) => e.id)).not.toContain("svc:shop:ratings->wl:shop:ratings-v1:http");
    expect(node(g, "wl:shop:ratings-v1")).toBeUndefined();
  });

  it("keeps them, marked idle, when asked", () => {
    const g = build("workload", idle, { includeIdleEdges: true });
    expect(edge(g, "svc:shop:ratings->wl:shop:ratings-v1:http")?.health.status).toBe("idle");
    expect(node(g, "wl:shop:ratings-v1")?.health.status).toBe("idle");
  });
});

describe("buildGraph ids", () => {
  const shuffled = <T>(xs: readonly T[]) => [...xs].reverse();

  it("gives the same ids and order whatever the order of the series and the rates", () => {
    const a = build();
    const b = build("versionedApp", {
      requests: shuffled(shop.requests).map((s): PromSample => ({ ...s, value: [s.value[0], String(Number(s.value[1]) * 3)] })),
      latency: shuffled(shop.latency),
      tcpSent: shuffled(shop.tcpSent),
      tcpReceived: shuffled(shop.tcpReceived),
    });
    expect(b.nodes.map((n) => n.id)).toEqual(a.nodes.map((n) => n.id));
    expect(b.edges.map((e) => e.id)).toEqual(a.edges.map((e) => e.id));
  });

  it("keeps existing ids when new traffic appears", () => {
    const a = build();
    const b = build("versionedApp", { ...shop, requests: [...shop.requests, ...bothReporters({ from: ratings, to: wl("shop", "reviews-v3"), value: 1 })] });
    const ids = new Set(b.nodes.map((n) => n.id));
    for (const n of a.nodes) expect(ids.has(n.id)).toBe(true);
    expect(ids.has("vapp:shop:reviews-v3")).toBe(true);
  });
});

describe("buildGraph at scale", () => {
  it("builds 1,000 workloads and 3,000 calls in one call", () => {
    const namespaces = Array.from({ length: 10 }, (_, i) => `ns${i}`);
    const workloads = Array.from({ length: 1000 }, (_, i) => wl(`ns${i % 10}`, `svc${i}-v${(i % 3) + 1}`, `svc${i}`));
    const traffic: PromSample[] = [];
    const timing: PromSample[] = [];
    workloads.forEach((from, i) => {
      for (const step of [1, 7, 31]) {
        const to = workloads[(i + step) % workloads.length]!;
        traffic.push(...bothReporters({ from, to, value: 1 + (i % 5) }));
        traffic.push(...bothReporters({ from, to, code: "503", value: i % 50 === 0 ? 0.5 : 0 }));
        timing.push(latency({ reporter: "destination", from, to, value: 5 + (i % 100) }));
      }
    });
    const g = buildGraph(results({ requests: traffic, latency: timing }), { graphType: "versionedApp", namespaces, window: "5m" });
    expect(g.edges).toHaveLength(3000 + 1000);
    expect(g.nodes.filter((n) => n.type === "app")).toHaveLength(1000);
    expect(g.nodes.filter((n) => n.type === "service")).toHaveLength(1000);
    expect(g.edges.filter((e) => e.health.status === "failure")).toHaveLength(3 * 20);
    expect(g.nodes.filter((n) => n.type === "app" && n.health.status === "degraded").length).toBeGreaterThan(0);
  });
});
