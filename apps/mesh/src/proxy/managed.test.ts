import { describe, expect, it } from "vitest";
import { evaluateAuthorization } from "@skein/shared";
import { waitingSnapshot } from "./managed.ts";

const reviews = { name: "reviews-v1", namespace: "default", serviceAccount: "reviews", labels: { app: "reviews" }, trustDomain: "cluster.local", spiffeId: "spiffe://cluster.local/ns/default/sa/reviews" };

describe("waitingSnapshot", () => {
  const s = waitingSnapshot(reviews);

  it("routes nothing outbound", () => {
    expect(s.outbound.virtualHosts).toEqual([]);
    expect(s.clusters).toEqual({});
  });

  it("accepts only mTLS inbound and then denies even a mesh peer", () => {
    expect(s.inbound.mtls).toEqual({ mode: "STRICT", portLevel: {} });
    const decision = evaluateAuthorization(s.inbound.authorization, {
      principal: "cluster.local/ns/default/sa/productpage",
      namespace: "default",
      sourceIp: "127.0.0.1",
      port: 9080,
      http: { host: "reviews", method: "GET", path: "/", headers: {} },
    });
    expect(decision).toMatchObject({ allowed: false, reason: "no ALLOW policy matched" });
  });

  it("carries no version, so the sidecar never reports it as served", () => {
    expect(s.version).toBe("");
    expect(s.workload).toEqual(reviews);
  });
});
