/**
 * The demo mesh's shop namespace as the control plane returns it, for wizard tests, and
 * a check that generated documents pass the shared validator against it.
 */
import { expect } from "vitest";
import { validateSources, type StoredResource, type Workload } from "@skein/shared/browser";
import { configValidationContext } from "../../client/config/validation-context.ts";
import { renderDocuments, type Body } from "./service-config.ts";

const meta = (name: string, resourceVersion = "1") => ({ name, namespace: "shop", resourceVersion, creationTimestamp: "2026-01-01T00:00:00.000Z" });

export const reviewsDestinationRule: StoredResource = {
  apiVersion: "networking.istio.io/v1",
  kind: "DestinationRule",
  metadata: meta("reviews", "4"),
  spec: {
    host: "reviews",
    trafficPolicy: { loadBalancer: { simple: "LEAST_REQUEST" } },
    subsets: ["v1", "v2", "v3"].map((v) => ({ name: v, labels: { version: v } })),
  },
};

export const reviewsVirtualService: StoredResource = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: meta("reviews", "7"),
  spec: {
    hosts: ["reviews"],
    http: [
      { match: [{ headers: { "end-user": { exact: "jason" } } }], route: [{ destination: { host: "reviews", subset: "v2" } }] },
      {
        route: [
          { destination: { host: "reviews", subset: "v1" }, weight: 80 },
          { destination: { host: "reviews", subset: "v3" }, weight: 20 },
        ],
        retries: { attempts: 2, perTryTimeout: "2s", retryOn: "5xx,connect-failure" },
        timeout: "5s",
      },
    ],
  },
};

export const peerAuthentication: StoredResource = {
  apiVersion: "security.istio.io/v1",
  kind: "PeerAuthentication",
  metadata: meta("default"),
  spec: { mtls: { mode: "STRICT" } },
};

export const shopResources: StoredResource[] = [reviewsDestinationRule, reviewsVirtualService, peerAuthentication];

function workload(app: string, version: string, service = true): Workload {
  return {
    name: `${app}-${version}`,
    namespace: "shop",
    serviceAccount: app,
    labels: { app, version },
    ...(service ? { service: { name: app, ports: [{ port: 9080, name: "http-9080", protocol: "HTTP" }] } } : {}),
    address: "127.0.0.1",
    inboundPort: 15000,
  };
}

export const shopWorkloads: Workload[] = [
  workload("details", "v1"),
  workload("productpage", "v1"),
  workload("ratings", "v1"),
  workload("reviews", "v1"),
  workload("reviews", "v2"),
  workload("reviews", "v3"),
  workload("traffic", "v1", false),
];

/** The shared validator's errors for the documents in the shop namespace, as `line N: message (path)`. */
export function validationErrors(bodies: readonly Body<unknown>[], resources: readonly StoredResource[] = shopResources): string[] {
  const text = renderDocuments(bodies);
  const context = configValidationContext(resources, shopWorkloads);
  const report = validateSources([{ file: "wizard.yaml", text }], { defaultNamespace: "shop", context });
  const errors = report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
  return errors.map((d) => `line ${d.line}: ${d.message} (${d.path})`);
}

/** Asserts that the documents are valid Istio config in the shop namespace (warnings allowed) and returns their YAML. */
export function expectValid(bodies: readonly Body<unknown>[], resources: readonly StoredResource[] = shopResources): string {
  expect(validationErrors(bodies, resources)).toEqual([]);
  return renderDocuments(bodies);
}

