import { describe, expect, it } from "vitest";
import { nodeHealth, requestHealth, thresholdStatus, worse } from "./health.ts";
import type { HealthStatus } from "./types.ts";

const quiet = { in: 0, out: 0, tcpIn: 0, tcpOut: 0 };

interface Row {
  name: string;
  responses: Record<string, number>;
  status: HealthStatus;
  errorRate: number;
}

describe("requestHealth with Kiali's default tolerances", () => {
  it.each<Row>([
    { name: "all 2xx", responses: { "2xx": 100 }, status: "healthy", errorRate: 0 },
    { name: "no requests", responses: {}, status: "idle", errorRate: 0 },
    { name: "zero-rate requests", responses: { "2xx": 0 }, status: "idle", errorRate: 0 },
    { name: "one 5xx in a million (5xx > 0% is degraded)", responses: { "2xx": 999_999, "5xx": 1 }, status: "degraded", errorRate: 0.0001 },
    { name: "5xx just under 10%", responses: { "2xx": 90.01, "5xx": 9.99 }, status: "degraded", errorRate: 9.99 },
    { name: "5xx at exactly 10% (failure)", responses: { "2xx": 90, "5xx": 10 }, status: "failure", errorRate: 10 },
    { name: "4xx just under 10% (healthy)", responses: { "2xx": 90.01, "4xx": 9.99 }, status: "healthy", errorRate: 9.99 },
    { name: "4xx at exactly 10% (degraded)", responses: { "2xx": 90, "4xx": 10 }, status: "degraded", errorRate: 10 },
    { name: "4xx just under 20%", responses: { "2xx": 80.01, "4xx": 19.99 }, status: "degraded", errorRate: 19.99 },
    { name: "4xx at exactly 20% (failure)", responses: { "2xx": 80, "4xx": 20 }, status: "failure", errorRate: 20 },
    { name: "no response at 10% (failure)", responses: { "2xx": 9, "-": 1 }, status: "failure", errorRate: 10 },
    { name: "gRPC UNAVAILABLE at 5% (degraded)", responses: { OK: 95, UNAVAILABLE: 5 }, status: "degraded", errorRate: 5 },
    { name: "gRPC UNAVAILABLE at 10% (failure)", responses: { OK: 9, UNAVAILABLE: 1 }, status: "failure", errorRate: 10 },
    { name: "3xx, which are not errors", responses: { "3xx": 50, "2xx": 50 }, status: "healthy", errorRate: 0 },
    { name: "the worst class winning (4xx 5% healthy, 5xx 5% degraded)", responses: { "2xx": 90, "4xx": 5, "5xx": 5 }, status: "degraded", errorRate: 10 },
  ])("is $status for $name", ({ responses, status, errorRate }) => {
    const h = requestHealth(responses);
    expect(h.status).toBe(status);
    expect(h.errorRate).toBeCloseTo(errorRate, 9);
  });

  it("reports the request rate it judged", () => {
    expect(requestHealth({ "2xx": 3, "5xx": 1 }).requestRate).toBe(4);
  });

  it("takes other tolerances", () => {
    const strict = { "5xx": { degraded: 0, failure: 1 }, "4xx": { degraded: 0, failure: 1 }, grpc: { degraded: 0, failure: 1 }, noResponse: { degraded: 0, failure: 1 } };
    expect(requestHealth({ "2xx": 99, "4xx": 1 }, strict).status).toBe("failure");
  });
});

describe("thresholdStatus", () => {
  it.each([
    [0, { degraded: 0, failure: 10 }, "healthy"],
    [0.001, { degraded: 0, failure: 10 }, "degraded"],
    [10, { degraded: 0, failure: 10 }, "failure"],
    [5, { degraded: 10, failure: 20 }, "healthy"],
  ] as const)("judges %s%% against %j as %s", (percent, t, want) => {
    expect(thresholdStatus(percent, t)).toBe(want);
  });
});

describe("nodeHealth", () => {
  it("judges a node on what it receives", () => {
    expect(nodeHealth({ "2xx": 1, "5xx": 1 }, { ...quiet, in: 2 }).status).toBe("failure");
  });

  it.each([
    { name: "only sends requests", traffic: { ...quiet, out: 5 }, want: "healthy" },
    { name: "only moves TCP bytes", traffic: { ...quiet, tcpIn: 100 }, want: "healthy" },
    { name: "has no traffic at all", traffic: quiet, want: "idle" },
  ])("is $want when it $name", ({ traffic, want }) => {
    expect(nodeHealth({}, traffic).status).toBe(want);
  });
});

describe("worse", () => {
  it.each([
    ["healthy", "failure", "failure"],
    ["degraded", "healthy", "degraded"],
    ["idle", "healthy", "healthy"],
  ] as const)("of %s and %s is %s", (a, b, want) => {
    expect(worse(a, b)).toBe(want);
  });
});
