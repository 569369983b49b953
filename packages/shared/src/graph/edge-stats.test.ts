import { describe, expect, it } from "vitest";
import { addP95, addResponse, addSecurityPolicy, isIdle, mergeEdgeStats, newEdgeStats, toGraphEdge } from "./edge-stats.ts";
import type { NodeInfo } from "./node-id.ts";

const a: NodeInfo = { id: "wl:shop:a", type: "workload", namespace: "shop", workload: "a" };
const b: NodeInfo = { id: "svc:shop:b", type: "service", namespace: "shop", service: "b" };

describe("edge stats", () => {
  it("names an edge by its ends and protocol", () => {
    expect(newEdgeStats(a, b, "grpc").id).toBe("wl:shop:a->svc:shop:b:grpc");
  });

  it("adds responses into rate, codes, error rate and health", () => {
    const e = newEdgeStats(a, b, "http");
    addResponse(e, "2xx", 3);
    addResponse(e, "5xx", 1);
    addResponse(e, "2xx", 0);
    expect(toGraphEdge(e)).toMatchObject({ rate: 4, responseCodes: { "2xx": 3, "5xx": 1 }, errorRate: 25, health: { status: "failure" } });
  });

  it.each([
    { name: "weighs the mTLS share by traffic", policies: [["mutual_tls", 3], ["none", 1]], want: 0.75 },
    { name: "is 0 without any known policy", policies: [], want: 0 },
  ] as const)("$name", ({ policies, want }) => {
    const e = newEdgeStats(a, b, "http");
    for (const [policy, rate] of policies) addSecurityPolicy(e, policy, rate);
    expect(toGraphEdge(e).mtls).toBe(want);
  });

  it("merges sums and keeps the larger p95 and the reported mark", () => {
    const x = newEdgeStats(a, b, "http");
    const y = newEdgeStats(a, b, "http");
    addResponse(x, "2xx", 1);
    addP95(x, 40);
    addResponse(y, "4xx", 1);
    addP95(y, 90);
    addP95(y, 60);
    y.reported = true;
    mergeEdgeStats(x, y);
    expect(x).toMatchObject({ requests: 2, p95Ms: 90, reported: true });
    expect(Object.fromEntries(x.responses)).toEqual({ "2xx": 1, "4xx": 1 });
  });

  it.each([
    { protocol: "http", requests: 0, tcp: 0, idle: true },
    { protocol: "http", requests: 1, tcp: 0, idle: false },
    { protocol: "tcp", requests: 0, tcp: 0, idle: true },
    { protocol: "tcp", requests: 0, tcp: 10, idle: false },
  ] as const)("is idle=$idle for $protocol with $requests req/s and $tcp B/s", ({ protocol, requests, tcp, idle }) => {
    const e = newEdgeStats(a, b, protocol);
    addResponse(e, "2xx", requests);
    e.tcpReceived = tcp;
    expect(isIdle(e)).toBe(idle);
  });

  it("reports TCP in bytes sent, with both directions", () => {
    const e = newEdgeStats(a, b, "tcp");
    e.tcpSent = 500;
    e.tcpReceived = 20;
    expect(toGraphEdge(e)).toMatchObject({ rate: 500, tcp: { sentBytes: 500, receivedBytes: 20 }, responseCodes: {}, health: { status: "healthy" } });
  });
});
