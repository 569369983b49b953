import { describe, expect, it } from "vitest";
import { expectValid, peerAuthentication, reviewsVirtualService, shopResources, shopWorkloads } from "./bookinfo.testing.ts";
import { circuitBreakingErrors, circuitBreakingResources, circuitBreakingStart, type CircuitBreakingForm } from "./circuit-breaking.ts";
import { serviceConfigOf } from "./service-config.ts";

const reviews = { namespace: "shop", service: "reviews" };
const form: CircuitBreakingForm = {
  maxConnections: 100,
  http1MaxPendingRequests: 10,
  maxRequestsPerConnection: undefined,
  consecutive5xxErrors: 5,
  interval: "10s",
  baseEjectionTime: "30s",
  maxEjectionPercent: 50,
};

describe("circuit breaking", () => {
  it("merges the pool and outlier detection into the DestinationRule, keeping its load balancer and subsets", () => {
    const docs = circuitBreakingResources(serviceConfigOf(reviews, shopResources, shopWorkloads), form);
    expect(docs[0]!.metadata.resourceVersion).toBe("4");
    expect(docs[0]!.spec).toEqual({
      host: "reviews",
      trafficPolicy: {
        loadBalancer: { simple: "LEAST_REQUEST" },
        connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 },
      },
      subsets: ["v1", "v2", "v3"].map((v) => ({ name: v, labels: { version: v } })),
    });
    expectValid(docs);
  });

  it("reads its settings back, and clearing every field removes them", () => {
    const dr = { ...shopResources[0]!, spec: circuitBreakingResources(serviceConfigOf(reviews, shopResources, shopWorkloads), form)[0]!.spec };
    const cfg = serviceConfigOf(reviews, [dr, reviewsVirtualService], shopWorkloads);
    expect(circuitBreakingStart(cfg)).toEqual(form);
    const cleared = circuitBreakingResources(cfg, { maxConnections: undefined, http1MaxPendingRequests: undefined, maxRequestsPerConnection: undefined, consecutive5xxErrors: undefined, interval: "", baseEjectionTime: "", maxEjectionPercent: undefined });
    expect((cleared[0]!.spec as { trafficPolicy: unknown }).trafficPolicy).toEqual({ loadBalancer: { simple: "LEAST_REQUEST" } });
  });

  it("creates a DestinationRule for a service without one, starting from values that trip quickly", () => {
    const cfg = serviceConfigOf(reviews, [peerAuthentication], shopWorkloads);
    const start = circuitBreakingStart(cfg);
    expect(start.maxConnections).toBe(1);
    const docs = circuitBreakingResources(cfg, start);
    expect(docs[0]).toMatchObject({ kind: "DestinationRule", metadata: { name: "reviews", namespace: "shop" }, spec: { host: "reviews" } });
    expect(docs[0]!.metadata.resourceVersion).toBeUndefined();
    expectValid(docs, [peerAuthentication]);
  });

  it("rejects counts that are not whole numbers and ejection percentages over 100", () => {
    expect(circuitBreakingErrors({ ...form, maxConnections: 0, maxEjectionPercent: 150, consecutive5xxErrors: 1.5 })).toHaveLength(3);
    expect(circuitBreakingErrors(form)).toEqual([]);
  });
});
