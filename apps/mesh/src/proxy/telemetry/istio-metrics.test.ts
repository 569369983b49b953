import { describe, expect, it } from "vitest";
import { HTTP_LABELS, TCP_LABELS, type LocalWorkload, type PeerInfo } from "./istio-labels.ts";
import { IstioMetrics, type RequestRecord } from "./istio-metrics.ts";
import { ENVOY_DEFAULT_BUCKETS } from "./series-collector.ts";

const local: LocalWorkload = {
  name: "productpage-v1",
  namespace: "bookinfo",
  labels: { app: "productpage", version: "v1" },
  spiffeId: "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage",
  clusterId: "Kubernetes",
};

const reviews: PeerInfo = {
  direction: "outbound",
  principal: "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews",
  workload: "reviews-v2",
  namespace: "bookinfo",
  labels: { app: "reviews", version: "v2" },
  service: { host: "reviews.bookinfo.svc.cluster.local", name: "reviews", namespace: "bookinfo" },
};

const ok: RequestRecord = { protocol: "http", responseCode: 200, responseFlags: "-", durationMs: 12.7, requestBytes: 300, responseBytes: 2000 };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Enough of the Prometheus text format for these tests (no escaped quotes in our values). */
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsed line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

async function scrape(m: IstioMetrics) {
  return parse(await m.metricsText());
}

function only(samples: Sample[], name: string, where: Record<string, string> = {}): Sample {
  const found = samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
  expect(found, `${name} ${JSON.stringify(where)}`).toHaveLength(1);
  return found[0]!;
}

describe("IstioMetrics", () => {
  it("exposes Istio's metric names with Istio's types", async () => {
    const { types } = await scrape(new IstioMetrics(local));
    expect(Object.fromEntries(types)).toMatchObject({
      istio_requests_total: "counter",
      istio_request_duration_milliseconds: "histogram",
      istio_request_bytes: "histogram",
      istio_response_bytes: "histogram",
      istio_tcp_sent_bytes_total: "counter",
      istio_tcp_received_bytes_total: "counter",
      istio_tcp_connections_opened_total: "counter",
      istio_tcp_connections_closed_total: "counter",
      skein_proxy_active_connections: "gauge",
      skein_proxy_upstream_ejections_total: "counter",
      skein_proxy_retries_total: "counter",
      skein_proxy_overflows_total: "counter",
      skein_proxy_config_version: "gauge",
    });
  });

  it("counts a request under the full Istio label set with reporter=source on outbound", async () => {
    const m = new IstioMetrics(local);
    m.recordRequest(reviews, ok);
    const { samples } = await scrape(m);
    const s = only(samples, "istio_requests_total");
    expect(s.value).toBe(1);
    expect(Object.keys(s.labels).sort()).toEqual([...HTTP_LABELS].sort());
    expect(s.labels).toMatchObject({
      reporter: "source",
      source_workload: "productpage-v1",
      destination_workload: "reviews-v2",
      destination_service: "reviews.bookinfo.svc.cluster.local",
      destination_canonical_revision: "v2",
      request_protocol: "http",
      response_code: "200",
      grpc_response_status: "",
      response_flags: "-",
      connection_security_policy: "unknown",
    });
  });

  it("reports reporter=destination and mutual_tls for inbound requests with a peer certificate", async () => {
    const m = new IstioMetrics(local);
    m.recordRequest({ direction: "inbound", principal: "spiffe://cluster.local/ns/edge/sa/gateway" }, ok);
    const s = only((await scrape(m)).samples, "istio_requests_total");
    expect(s.labels).toMatchObject({
      reporter: "destination",
      source_workload: "unknown",
      source_workload_namespace: "edge",
      destination_workload: "productpage-v1",
      destination_principal: local.spiffeId,
      connection_security_policy: "mutual_tls",
    });
  });

  it("uses Envoy's default buckets for duration and both byte histograms", async () => {
    const m = new IstioMetrics(local);
    m.recordRequest(reviews, ok);
    const { samples } = await scrape(m);
    for (const name of ["istio_request_duration_milliseconds", "istio_request_bytes", "istio_response_bytes"]) {
      const les = samples.filter((s) => s.name === `${name}_bucket`).map((s) => s.labels.le);
      expect(les).toEqual([...ENVOY_DEFAULT_BUCKETS.map(String), "+Inf"]);
    }
  });

  it("records whole milliseconds into cumulative buckets, as Istio does", async () => {
    const m = new IstioMetrics(local);
    m.recordRequest(reviews, { ...ok, durationMs: 0.9 });
    m.recordRequest(reviews, { ...ok, durationMs: 12.7 });
    const { samples } = await scrape(m);
    const bucket = (le: string) => only(samples, "istio_request_duration_milliseconds_bucket", { le }).value;
    expect(bucket("0.5")).toBe(1); // 0.9 ms is recorded as 0
    expect(bucket("10")).toBe(1);
    expect(bucket("25")).toBe(2);
    expect(bucket("+Inf")).toBe(2);
    expect(only(samples, "istio_request_duration_milliseconds_sum").value).toBe(12);
    expect(only(samples, "istio_request_duration_milliseconds_count").value).toBe(2);
    expect(only(samples, "istio_response_bytes_sum").value).toBe(4000);
  });

  it("keeps one series per response code, gRPC status and flags", async () => {
    const m = new IstioMetrics(local);
    m.recordRequest(reviews, ok);
    m.recordRequest(reviews, ok);
    m.recordRequest(reviews, { ...ok, responseCode: 503, responseFlags: "UF,URX" });
    m.recordRequest(reviews, { ...ok, protocol: "grpc", grpcStatus: 14 });
    const { samples } = await scrape(m);
    expect(only(samples, "istio_requests_total", { response_code: "200", request_protocol: "http" }).value).toBe(2);
    expect(only(samples, "istio_requests_total", { response_code: "503", response_flags: "UF,URX" }).value).toBe(1);
    expect(only(samples, "istio_requests_total", { request_protocol: "grpc", grpc_response_status: "14" }).value).toBe(1);
  });

  it("treats empty response flags as none, in one series", async () => {
    const m = new IstioMetrics(local);
    m.recordRequest(reviews, ok);
    m.recordRequest(reviews, { ...ok, responseFlags: "" });
    expect(only((await scrape(m)).samples, "istio_requests_total").value).toBe(2);
  });

  it("lands equal peers described by different objects on the same series", async () => {
    const m = new IstioMetrics(local);
    m.recordRequest(reviews, ok);
    m.recordRequest({ ...reviews, labels: { version: "v2", app: "reviews" } }, ok);
    expect(only((await scrape(m)).samples, "istio_requests_total").value).toBe(2);
  });

  it("counts TCP connections and bytes under Istio's TCP label set", async () => {
    const m = new IstioMetrics(local);
    const series = m.tcpSeries({ ...reviews, service: { host: "db.data.svc.cluster.local", name: "db" } });
    series.connectionOpened();
    series.bytesSent(100);
    series.bytesReceived(40);
    series.bytesSent(5);
    series.connectionClosed();
    const { samples } = await scrape(m);
    const opened = only(samples, "istio_tcp_connections_opened_total");
    expect(Object.keys(opened.labels).sort()).toEqual([...TCP_LABELS].sort());
    expect(opened.labels).toMatchObject({ request_protocol: "tcp", response_flags: "-", destination_service_name: "db" });
    expect(opened.value).toBe(1);
    expect(only(samples, "istio_tcp_connections_closed_total").value).toBe(1);
    expect(only(samples, "istio_tcp_sent_bytes_total").value).toBe(105);
    expect(only(samples, "istio_tcp_received_bytes_total").value).toBe(40);
  });

  it("keeps each instance's metrics in its own registry", async () => {
    const a = new IstioMetrics(local);
    const b = new IstioMetrics({ ...local, name: "details-v1" });
    a.recordRequest(reviews, ok);
    expect((await scrape(a)).samples.filter((s) => s.name === "istio_requests_total")).toHaveLength(1);
    expect((await scrape(b)).samples.filter((s) => s.name === "istio_requests_total")).toHaveLength(0);
  });

  it("zeroes every series when the registry is reset", async () => {
    const m = new IstioMetrics(local);
    m.recordRequest(reviews, ok);
    m.tcpSeries(reviews).connectionOpened();
    m.registry.resetMetrics();
    const { samples } = await scrape(m);
    expect(only(samples, "istio_requests_total").value).toBe(0);
    expect(only(samples, "istio_request_bytes_count").value).toBe(0);
    expect(only(samples, "istio_tcp_connections_opened_total").value).toBe(0);
  });

  it("tracks the proxy's health: connections, ejections, retries, overflows and one config version", async () => {
    const m = new IstioMetrics(local);
    m.connectionOpened("inbound");
    m.connectionOpened("inbound");
    m.connectionClosed("inbound");
    m.connectionOpened("outbound");
    m.upstreamEjected("outbound|9080|v2|reviews.bookinfo.svc.cluster.local");
    m.retried("outbound|9080|v2|reviews.bookinfo.svc.cluster.local");
    m.retried("outbound|9080|v2|reviews.bookinfo.svc.cluster.local");
    m.overflowed("outbound|9080||ratings.bookinfo.svc.cluster.local");
    m.setConfigVersion("v1");
    m.setConfigVersion("v2");
    const { samples } = await scrape(m);
    expect(only(samples, "skein_proxy_active_connections", { direction: "inbound" }).value).toBe(1);
    expect(only(samples, "skein_proxy_active_connections", { direction: "outbound" }).value).toBe(1);
    expect(only(samples, "skein_proxy_upstream_ejections_total").value).toBe(1);
    expect(only(samples, "skein_proxy_retries_total").labels.cluster_name).toBe("outbound|9080|v2|reviews.bookinfo.svc.cluster.local");
    expect(only(samples, "skein_proxy_retries_total").value).toBe(2);
    expect(only(samples, "skein_proxy_overflows_total").value).toBe(1);
    expect(only(samples, "skein_proxy_config_version")).toEqual({ name: "skein_proxy_config_version", labels: { version: "v2" }, value: 1 });
  });

  it("serves the Prometheus text content type", () => {
    expect(new IstioMetrics(local).contentType).toContain("text/plain");
  });
});
