import { describe, expect, it } from "vitest";
import { graphQueries, REQUEST_GROUP_BY } from "./graph-queries.ts";

const opts = { namespaces: ["shop", "data"], window: "5m" };
const byName = (o: Parameters<typeof graphQueries>[0] = opts) => Object.fromEntries(graphQueries(o).map((q) => [q.name, q]));

describe("graphQueries", () => {
  it("asks the client proxies for traffic leaving the namespaces and meshed traffic entering them", () => {
    expect(byName()["requests-source"]!.query).toBe(
      `(sum(rate(istio_requests_total{reporter="source",source_workload_namespace=~"shop|data"}[5m])) by (${REQUEST_GROUP_BY.join(",")}) > 0)` +
        ` or (sum(rate(istio_requests_total{reporter="source",source_workload!="unknown",destination_service_namespace=~"shop|data"}[5m])) by (${REQUEST_GROUP_BY.join(",")}) > 0)`,
    );
  });

  it("asks the server proxies for every edge touching the namespaces, for unknown callers and the security policy", () => {
    const q = byName()["requests-destination"]!.query;
    expect(q).toContain(`istio_requests_total{reporter="destination",destination_workload_namespace=~"shop|data"}[5m]`);
    expect(q).toContain(`istio_requests_total{reporter="destination",source_workload_namespace=~"shop|data"}[5m]`);
  });

  it.each([
    { label: "Kiali's edge labels", part: "source_workload_namespace,source_workload,source_canonical_service,source_canonical_revision,destination_service_namespace,destination_service,destination_service_name,destination_workload_namespace,destination_workload,destination_canonical_service,destination_canonical_revision" },
    { label: "the response", part: "request_protocol,response_code,grpc_response_status,response_flags" },
    { label: "the security policy", part: "connection_security_policy" },
    { label: "the reporter, for deduplication", part: "by (reporter," },
  ])("groups requests by $label", ({ part }) => {
    expect(byName()["requests-source"]!.query).toContain(part);
  });

  it("takes the p95 of successful requests by edge: client side for meshed callers, server side for callers outside the mesh", () => {
    const q = byName();
    expect(q["latency-destination"]!.query).toMatch(
      /^histogram_quantile\(0\.95, sum\(rate\(istio_request_duration_milliseconds_bucket\{reporter="destination",source_workload="unknown",destination_workload_namespace=~"shop\|data",response_code!~"0\|\[45\]\[0-9\]\[0-9\]",grpc_response_status=~"\|0"\}\[5m\]\)\) by \(le,reporter,source_workload_namespace,.*,request_protocol\)\) > 0$/,
    );
    const source = q["latency-source"]!.query;
    expect(source).toContain(`{reporter="source",source_workload_namespace=~"shop|data",response_code!~`);
    expect(source).toContain(`{reporter="source",source_workload!="unknown",source_workload_namespace!~"shop|data",destination_service_namespace=~"shop|data",response_code!~`);
  });

  it("reads each histogram series in one response-time query only", () => {
    const latency = graphQueries(opts).filter((q) => q.metric === "latency");
    const selectors = latency.flatMap((q) => [...q.query.matchAll(/_bucket\{([^}]*)\}/g)].map((m) => m[1]!));
    expect(selectors).toHaveLength(3);
    // source reporter: callers inside the namespaces, or outside them; destination reporter: unknown callers only
    expect(selectors.filter((s) => s.includes(`reporter="source"`) && s.includes(`source_workload_namespace=~`))).toHaveLength(1);
    expect(selectors.filter((s) => s.includes(`reporter="source"`) && s.includes(`source_workload_namespace!~`))).toHaveLength(1);
    expect(selectors.filter((s) => s.includes(`reporter="destination"`) && s.includes(`source_workload="unknown"`))).toHaveLength(1);
  });

  it("leaves the response-time queries out when they are not wanted, and only those", () => {
    const all = graphQueries(opts).map((q) => q.name);
    const without = graphQueries({ ...opts, responseTime: false }).map((q) => q.name);
    expect(all).toContain("latency-source");
    expect(without).toEqual(all.filter((n) => !n.startsWith("latency-")));
  });

  it("reads TCP bytes both ways with the same reporter split", () => {
    const q = byName();
    for (const name of ["tcp-sent-source", "tcp-sent-destination"]) expect(q[name]!.query).toContain("istio_tcp_sent_bytes_total{");
    for (const name of ["tcp-received-source", "tcp-received-destination"]) {
      expect(q[name]!.query).toContain("istio_tcp_received_bytes_total{");
    }
    expect(q["tcp-sent-source"]!.query).not.toContain("response_code");
    expect(q["tcp-sent-source"]!.metric).toBe("tcpSent");
    expect(q["tcp-received-destination"]!.metric).toBe("tcpReceived");
  });

  it("keeps zero-rate series only when idle edges are asked for", () => {
    expect(byName({ ...opts, includeIdleEdges: true })["requests-source"]!.query).not.toContain("> 0");
    expect(byName()["requests-source"]!.query).toContain("> 0");
  });

  it("names each query once and gives each a metric", () => {
    const queries = graphQueries(opts);
    expect(new Set(queries.map((q) => q.name)).size).toBe(queries.length);
    expect(queries.map((q) => q.metric).sort()).toEqual(
      ["latency", "latency", "requests", "requests", "tcpReceived", "tcpReceived", "tcpSent", "tcpSent"],
    );
  });

  it("returns no queries for no namespaces", () => {
    expect(graphQueries({ namespaces: [], window: "1m" })).toEqual([]);
  });

  it.each([
    { name: "a namespace that could break out of the PromQL string", o: { namespaces: ['shop"}'], window: "5m" }, err: /namespace/ },
    { name: "a regex in a namespace", o: { namespaces: ["shop|.*"], window: "5m" }, err: /namespace/ },
    { name: "a window without a unit", o: { namespaces: ["shop"], window: "300" }, err: /window/ },
    { name: "a window with PromQL in it", o: { namespaces: ["shop"], window: "5m]) or vector(1" }, err: /window/ },
  ])("refuses $name", ({ o, err }) => {
    expect(() => graphQueries(o)).toThrow(err);
  });

  it.each(["1m", "5m", "30m", "1h", "1d", "90s"])("accepts the window %s", (window) => {
    expect(graphQueries({ namespaces: ["shop"], window })[0]!.query).toContain(`[${window}]`);
  });
});
