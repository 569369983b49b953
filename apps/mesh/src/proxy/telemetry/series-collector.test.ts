import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { counterCollector, ENVOY_DEFAULT_BUCKETS, HistogramCell, histogramCollector, registerCollector } from "./series-collector.ts";

describe("HistogramCell", () => {
  it("puts a value equal to a bound in that bound's bucket, as Prometheus' le means", () => {
    const h = new HistogramCell([1, 5]);
    h.observe(1);
    h.observe(1.5);
    h.observe(5);
    h.observe(6);
    expect([...h.counts]).toEqual([1, 2, 1]);
    expect(h.sum).toBe(13.5);
    expect(h.count).toBe(4);
  });

  it("has Envoy's 19 default bounds", () => {
    expect(ENVOY_DEFAULT_BUCKETS).toHaveLength(19);
    expect(ENVOY_DEFAULT_BUCKETS[0]).toBe(0.5);
    expect(ENVOY_DEFAULT_BUCKETS.at(-1)).toBe(3_600_000);
  });
});

describe("collectors in a prom-client Registry", () => {
  it("render next to prom-client's own metrics, with escaped label values", async () => {
    const registry = new Registry();
    const series = [{ labels: { path: 'a"b' }, hits: 3, cell: new HistogramCell([10]) }];
    series[0]!.cell.observe(4);
    registerCollector(registry, counterCollector("demo_hits_total", "Hits.", () => series, (s) => s.hits, (s) => (s.hits = 0)));
    registerCollector(registry, histogramCollector("demo_size", "Sizes.", [10], () => series, (s) => s.cell));
    new Counter({ name: "demo_plain_total", help: "Plain.", registers: [registry] }).inc(2);
    expect(await registry.metrics()).toBe(
      [
        "# HELP demo_hits_total Hits.",
        "# TYPE demo_hits_total counter",
        'demo_hits_total{path="a\\"b"} 3',
        "",
        "# HELP demo_size Sizes.",
        "# TYPE demo_size histogram",
        'demo_size_bucket{path="a\\"b",le="10"} 1',
        'demo_size_bucket{path="a\\"b",le="+Inf"} 1',
        'demo_size_sum{path="a\\"b"} 4',
        'demo_size_count{path="a\\"b"} 1',
        "",
        "# HELP demo_plain_total Plain.",
        "# TYPE demo_plain_total counter",
        "demo_plain_total 2",
        "",
      ].join("\n"),
    );
  });

  it("appear in the registry's JSON and reset with it", async () => {
    const registry = new Registry();
    const series = [{ labels: { a: "1" }, hits: 2 }];
    registerCollector(registry, counterCollector("demo_total", "Demo.", () => series, (s) => s.hits, (s) => (s.hits = 0)));
    registry.resetMetrics();
    const [metric] = await registry.getMetricsAsJSON();
    expect(metric).toMatchObject({ name: "demo_total", type: "counter", values: [{ labels: { a: "1" }, value: 0 }] });
  });
});
