import { describe, expect, it } from "vitest";
import type { PromSample } from "@skein/shared/browser";
import { healthIndex, healthQueries } from "./health";

const inbound = (workload: string, app: string, code: string, rate: number, service = app): PromSample => ({
  metric: {
    destination_workload_namespace: "shop",
    destination_workload: workload,
    destination_app: app,
    destination_service_namespace: "shop",
    destination_service_name: service,
    request_protocol: "http",
    response_code: code,
    grpc_response_status: "",
  },
  value: [0, String(rate)],
});

describe("healthIndex", () => {
  const index = healthIndex(
    [inbound("reviews-v1", "reviews", "200", 9), inbound("reviews-v2", "reviews", "200", 1), inbound("ratings-v1", "ratings", "200", 8), inbound("ratings-v1", "ratings", "503", 2), inbound("details-v1", "details", "404", 1), inbound("details-v1", "details", "200", 19)],
    [{ metric: { source_workload_namespace: "shop", source_workload: "traffic", source_app: "traffic" }, value: [0, "5"] }],
  );

  it("judges each app, workload and service on its inbound requests with Kiali's tolerances", () => {
    expect(index.apps["shop/reviews"]).toEqual({ status: "healthy", errorRate: 0, requestRate: 10 });
    expect(index.apps["shop/ratings"]).toMatchObject({ status: "failure", errorRate: 20 });
    expect(index.workloads["shop/ratings-v1"]?.status).toBe("failure");
    expect(index.services["shop/ratings"]?.status).toBe("failure");
    // 5% 4xx stays under the 10% degraded threshold for 4xx.
    expect(index.apps["shop/details"]?.status).toBe("healthy");
  });

  it("counts a workload that only sends as healthy", () => {
    expect(index.workloads["shop/traffic"]).toEqual({ status: "healthy", errorRate: 0, requestRate: 0 });
    expect(index.apps["shop/traffic"]?.status).toBe("healthy");
  });

  it("any 5xx degrades", () => {
    const i = healthIndex([inbound("a", "a", "200", 99), inbound("a", "a", "500", 1)], []);
    expect(i.apps["shop/a"]?.status).toBe("degraded");
  });

  it("asks Prometheus for destination-reported inbound and source-reported outbound rates", () => {
    const q = healthQueries("5m");
    expect(q.inbound).toContain('istio_requests_total{reporter="destination"}[5m]');
    expect(q.outbound).toContain('reporter="source"');
  });
});
