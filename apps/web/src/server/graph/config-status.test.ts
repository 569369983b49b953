import { describe, expect, it } from "vitest";
import type { StoredResource, Workload } from "@skein/shared";
import { validateStored } from "./config-status.ts";

const stored = (kind: string, name: string, spec: unknown, group = "networking.istio.io/v1"): StoredResource => ({
  apiVersion: group,
  kind,
  metadata: { name, namespace: "shop", resourceVersion: "3", creationTimestamp: "2026-01-01T00:00:00Z" },
  spec,
});

const workloads: Workload[] = ["v1", "v2"].map((v) => ({
  name: `reviews-${v}`,
  namespace: "shop",
  serviceAccount: "reviews",
  labels: { app: "reviews", version: v },
  service: { name: "reviews", ports: [{ port: 9080, name: "http" }] },
  address: "127.0.0.1",
}));

describe("validateStored", () => {
  it("finds the demo's routing valid", () => {
    const result = validateStored(
      [
        stored("DestinationRule", "reviews", { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }, { name: "v2", labels: { version: "v2" } }] }),
        stored("VirtualService", "reviews", { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v1" } }] }] }),
      ],
      workloads,
    );
    expect(result.get("VirtualService/shop/reviews")).toEqual({ status: "valid", messages: [] });
    expect(result.get("DestinationRule/shop/reviews")?.status).toBe("valid");
  });

  it("reports a route to a subset no DestinationRule defines as an error on the VirtualService", () => {
    const result = validateStored(
      [
        stored("DestinationRule", "reviews", { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }] }),
        stored("VirtualService", "reviews", { hosts: ["reviews"], http: [{ route: [{ destination: { host: "reviews", subset: "v9" } }] }] }),
      ],
      workloads,
    );
    const vs = result.get("VirtualService/shop/reviews")!;
    expect(vs.status).toBe("error");
    expect(vs.messages.some((m) => m.message.includes("v9"))).toBe(true);
  });
});
