import { describe, expect, it } from "vitest";
import { graphLinkForSpan, serviceOfSpan, workloadOfNodeId } from "./graph-link";
import { shopTrace } from "./trace-fixture.testing";
import { formatDurationUs, isErrorSpan, responseFlags, serviceColors, summarizeTrace, waterfall } from "./trace-model";

describe("summarizeTrace", () => {
  it("takes the root span's service and operation and the whole trace's extent", () => {
    expect(summarizeTrace(shopTrace())).toEqual({
      traceId: "c0ed147188fee28ef4e8b15b8d06d5b3",
      startUs: 1_795_344_710_000_000,
      durationUs: 54_000,
      spanCount: 9,
      errorCount: 3,
      rootService: "traffic.shop",
      rootOperation: "productpage.shop.svc.cluster.local:9080/*",
      services: ["details.shop", "productpage.shop", "ratings.shop", "reviews.shop", "traffic.shop"],
    });
  });
});

describe("waterfall", () => {
  it("nests spans under their parents, siblings by start time, even when a child started first", () => {
    const rows = waterfall(shopTrace());
    expect(rows.map((r) => [r.span.spanID, r.depth, r.offsetUs, r.error])).toEqual([
      ["a1", 0, 1000, false],
      ["a2", 1, 0, false],
      ["b1", 2, 2000, false],
      ["b2", 3, 3000, true],
      ["b3", 3, 10_000, false],
      ["c1", 2, 23_000, false],
      ["c2", 3, 24_000, false],
      ["d1", 4, 26_000, true],
      ["d2", 5, 27_000, true],
    ]);
  });

  it("survives a reference cycle", () => {
    const t = shopTrace();
    t.spans[1]!.references = [{ refType: "CHILD_OF", traceID: t.traceID, spanID: "a2" }];
    expect(waterfall(t).length).toBeLessThanOrEqual(9);
  });
});

describe("span facts", () => {
  it.each([
    [[{ key: "error", type: "bool" as const, value: true }], true],
    [[{ key: "otel.status_code", type: "string" as const, value: "ERROR" }], true],
    [[{ key: "http.status_code", type: "int64" as const, value: 503 }], true],
    [[{ key: "http.status_code", type: "int64" as const, value: 404 }], false],
    [[], false],
  ])("isErrorSpan(%j) is %s", (tags, error) => expect(isErrorSpan({ tags })).toBe(error));

  it("splits Envoy's response flags and treats - as none", () => {
    expect(responseFlags({ response_flags: "UF,URX" })).toEqual(["UF", "URX"]);
    expect(responseFlags({ response_flags: "-" })).toEqual([]);
    expect(responseFlags({})).toEqual([]);
  });

  it.each([
    [850, "850µs"],
    [12_345, "12.3ms"],
    [54_000, "54ms"],
    [1_520_000, "1.52s"],
    [250_000, "250ms"],
  ])("formats %d µs as %s", (us, text) => expect(formatDurationUs(us)).toBe(text));

  it("gives each service its own colour, stable by name", () => {
    const a = serviceColors(["b", "a", "b"]);
    expect([...a.keys()]).toEqual(["a", "b"]);
    expect(a.get("a")).not.toBe(a.get("b"));
    expect(serviceColors(["a", "b"]).get("b")).toBe(a.get("b"));
  });
});

describe("graph links", () => {
  it("reads the workload from the Envoy node id", () => {
    expect(workloadOfNodeId("sidecar~127.0.0.1~reviews-v2.shop~shop.svc.cluster.local", "shop")).toBe("reviews-v2");
    expect(workloadOfNodeId("garbage", "shop")).toBeUndefined();
  });

  it("reads the called service from the upstream cluster or the span name", () => {
    const t = shopTrace();
    expect(serviceOfSpan(t.spans.find((s) => s.spanID === "c1")!)).toEqual({ host: "reviews.shop.svc.cluster.local", name: "reviews", namespace: "shop" });
    expect(serviceOfSpan({ operationName: "ratings.shop.svc.cluster.local:9080/*", tags: [] })).toEqual({ host: "ratings.shop.svc.cluster.local", name: "ratings", namespace: "shop" });
  });

  it.each([
    ["c1", "vapp:shop:productpage-v1->svc:shop:reviews:http"],
    ["c2", "svc:shop:reviews->vapp:shop:reviews-v2:http"],
    ["d1", "vapp:shop:reviews-v2->svc:shop:ratings:http"],
    ["b2", "svc:shop:details->vapp:shop:details-v1:http"],
    ["a1", "vapp:shop:traffic->svc:shop:productpage:http"],
  ])("span %s is on edge %s", (spanId, edge) => {
    const link = graphLinkForSpan(shopTrace(), spanId)!;
    expect(link.edgeId).toBe(edge);
    expect(link.href).toBe(`/?namespaces=shop&graphType=versionedApp&selected=${encodeURIComponent(edge)}`);
  });

  it("puts a server span without a client span under the unknown source's service hop", () => {
    const t = shopTrace();
    t.spans = t.spans.filter((s) => s.spanID !== "a1");
    expect(graphLinkForSpan(t, "a2")?.edgeId).toBe("svc:shop:productpage->vapp:shop:productpage-v1:http");
  });

  it("has no edge for a span that is neither client nor server", () => {
    const t = shopTrace();
    t.spans[0]!.tags = t.spans[0]!.tags.filter((x) => x.key !== "span.kind");
    expect(graphLinkForSpan(t, t.spans[0]!.spanID)).toBeUndefined();
  });
});
