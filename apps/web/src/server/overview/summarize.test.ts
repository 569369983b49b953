import { describe, expect, it } from "vitest";
import type { ProxyStatus, Resource, Workload } from "@skein/shared/browser";
import { proxyState, summarizeNamespaces } from "./summarize";

const wl = (namespace: string, name: string, app: string, service?: string): Workload => ({
  name,
  namespace,
  serviceAccount: app,
  labels: { app, version: "v1" },
  ...(service ? { service: { name: service, ports: [{ port: 9080, name: "http-9080" }] } } : {}),
  address: "127.0.0.1",
});

const proxy = (namespace: string, workload: string, over: Partial<ProxyStatus> = {}): ProxyStatus => ({ workload, namespace, connected: true, sentVersion: "v2", ackedVersion: "v2", lastSeen: "2026-01-01T00:00:00Z", ...over });

const strictShop = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { namespace: "shop", name: "default" }, spec: { mtls: { mode: "STRICT" } } } as Resource;
const permissiveLegacy = { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { namespace: "tools", name: "sleep" }, spec: { selector: { matchLabels: { app: "sleep" } }, mtls: { mode: "STRICT" } } } as Resource;

describe("proxyState", () => {
  it.each([
    [undefined, "unknown"],
    [proxy("shop", "a"), "acked"],
    [proxy("shop", "a", { ackedVersion: "v1" }), "pending"],
    [proxy("shop", "a", { ackedVersion: "v1", nack: { version: "v2", error: "bad regex", at: "" } }), "nacked"],
    // A NACK of an older version no longer describes what the sidecar was last sent.
    [proxy("shop", "a", { nack: { version: "v1", error: "bad regex", at: "" } }), "acked"],
    [proxy("shop", "a", { connected: false }), "disconnected"],
  ])("%j is %s", (p, state) => expect(proxyState(p)).toBe(state));
});

describe("summarizeNamespaces", () => {
  const summary = summarizeNamespaces({
    workloads: [wl("shop", "reviews-v1", "reviews", "reviews"), wl("shop", "reviews-v2", "reviews", "reviews"), wl("shop", "ratings-v1", "ratings", "ratings"), wl("shop", "traffic", "traffic"), wl("tools", "sleep", "sleep"), wl("tools", "curl", "curl")],
    proxies: [proxy("shop", "reviews-v1"), proxy("shop", "reviews-v2", { ackedVersion: "v1" }), proxy("shop", "ratings-v1", { nack: { version: "v2", error: "x", at: "" } }), proxy("shop", "traffic", { connected: false })],
    resources: [strictShop, permissiveLegacy],
    validation: [
      { kind: "PeerAuthentication", namespace: "shop", name: "default", errors: 0, warnings: 0 },
      { kind: "VirtualService", namespace: "shop", name: "reviews", errors: 0, warnings: 2 },
      { kind: "DestinationRule", namespace: "shop", name: "ratings", errors: 1, warnings: 1 },
    ],
    health: {
      apps: { "shop/reviews": { status: "healthy", errorRate: 0, requestRate: 3 }, "shop/ratings": { status: "failure", errorRate: 50, requestRate: 2 }, "shop/traffic": { status: "healthy", errorRate: 0, requestRate: 0 } },
      workloads: {},
      services: {},
    },
  });
  const [shop, tools] = summary;

  it("counts apps, workloads and services per namespace", () => {
    expect(summary.map((s) => [s.name, s.apps, s.workloads, s.services])).toEqual([
      ["shop", 3, 4, 2],
      ["tools", 2, 2, 0],
    ]);
  });

  it("sums app health, registered apps without traffic as idle", () => {
    expect(shop!.health).toEqual({ healthy: 2, degraded: 0, failure: 1, idle: 0 });
    expect(tools!.health).toEqual({ healthy: 0, degraded: 0, failure: 0, idle: 2 });
  });

  it("reports one mTLS mode when every workload has it, and mixed otherwise", () => {
    expect(shop!.mtls).toEqual({ status: "STRICT", workloads: { STRICT: 4 }, policies: [{ namespace: "shop", name: "default" }] });
    expect(tools!.mtls.status).toBe("mixed");
    expect(tools!.mtls.workloads).toEqual({ STRICT: 1, PERMISSIVE: 1 });
  });

  it("counts config by its worst finding", () => {
    expect(shop!.config).toEqual({ total: 3, valid: 1, warnings: 1, errors: 1 });
  });

  it("counts proxies connected, ACKed, NACKed and waiting", () => {
    expect(shop!.proxies).toEqual({ total: 4, connected: 3, acked: 1, nacked: 1, pending: 1 });
  });
});
