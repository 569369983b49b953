import { describe, expect, it } from "vitest";
import type { Resource } from "@skein/shared/browser";
import { workloadMtls } from "./mtls";

const pa = (namespace: string, name: string, mode: string, matchLabels?: Record<string, string>): Resource =>
  ({ apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { namespace, name }, spec: { ...(matchLabels ? { selector: { matchLabels } } : {}), mtls: { mode } } }) as Resource;

const reviews = { name: "reviews-v1", namespace: "shop", serviceAccount: "reviews", labels: { app: "reviews", version: "v1" } };

describe("workloadMtls", () => {
  it.each([
    ["Istio's default without any policy", [], { mode: "PERMISSIVE", level: "default" }],
    ["the mesh-wide policy", [pa("istio-system", "default", "STRICT")], { mode: "STRICT", level: "mesh", policy: { namespace: "istio-system", name: "default" } }],
    ["the namespace's policy over the mesh's", [pa("istio-system", "default", "STRICT"), pa("shop", "default", "PERMISSIVE")], { mode: "PERMISSIVE", level: "namespace", policy: { namespace: "shop", name: "default" } }],
    ["a selecting policy over the namespace's", [pa("shop", "default", "STRICT"), pa("shop", "reviews-off", "DISABLE", { app: "reviews" })], { mode: "DISABLE", level: "workload", policy: { name: "reviews-off" } }],
    ["UNSET inherits from the namespace", [pa("shop", "default", "STRICT"), pa("shop", "reviews", "UNSET", { app: "reviews" })], { mode: "STRICT", level: "namespace", policy: { name: "default" } }],
    ["a policy selecting other workloads does not apply", [pa("shop", "ratings", "DISABLE", { app: "ratings" })], { mode: "PERMISSIVE", level: "default" }],
  ])("%s", (_name, resources, expected) => {
    expect(workloadMtls(resources, reviews)).toMatchObject(expected);
  });
});
