import type { Endpoint } from "@skein/shared";
import { describe, expect, it } from "vitest";
import {
  HTTP_LABELS,
  PEER_LABELS,
  TCP_LABELS,
  canonicalRevision,
  canonicalService,
  connectionSecurityPolicy,
  namespaceFromPrincipal,
  outboundPeer,
  peerLabelValues,
  type LocalWorkload,
} from "./istio-labels.ts";

const productpage: LocalWorkload = {
  name: "productpage-v1",
  namespace: "bookinfo",
  labels: { app: "productpage", version: "v1" },
  spiffeId: "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage",
  clusterId: "Kubernetes",
};

const REVIEWS_PRINCIPAL = "spiffe://cluster.local/ns/bookinfo/sa/bookinfo-reviews";

function asObject(values: string[]): Record<string, string> {
  return Object.fromEntries(PEER_LABELS.map((n, i) => [n, values[i]!]));
}

describe("Istio label sets", () => {
  it("has Istio's 25 standard labels on HTTP metrics and 23 on TCP metrics", () => {
    expect(HTTP_LABELS).toHaveLength(25);
    expect(new Set(HTTP_LABELS).size).toBe(25);
    expect(TCP_LABELS).toEqual(HTTP_LABELS.filter((l) => l !== "response_code" && l !== "grpc_response_status"));
  });
});

describe("canonicalService", () => {
  it.each([
    [{ "service.istio.io/canonical-name": "c", "app.kubernetes.io/name": "k", app: "a" }, "c"],
    [{ "app.kubernetes.io/name": "k", app: "a" }, "k"],
    [{ app: "a" }, "a"],
    [{}, "reviews-v1"],
    [{ app: "" }, "reviews-v1"],
  ])("picks the first of canonical-name, app.kubernetes.io/name, app, workload name: %j -> %s", (labels, expected) => {
    expect(canonicalService(labels, "reviews-v1")).toBe(expected);
  });

  it("is unknown when neither labels nor a workload name exist", () => {
    expect(canonicalService(undefined, undefined)).toBe("unknown");
  });
});

describe("canonicalRevision", () => {
  it.each([
    [{ "service.istio.io/canonical-revision": "r", "app.kubernetes.io/version": "k", version: "v" }, "r"],
    [{ "app.kubernetes.io/version": "k", version: "v" }, "k"],
    [{ version: "v2" }, "v2"],
    [{}, "latest"],
  ])("picks the first of canonical-revision, app.kubernetes.io/version, version, else latest: %j -> %s", (labels, expected) => {
    expect(canonicalRevision(labels)).toBe(expected);
  });
});

describe("namespaceFromPrincipal", () => {
  it("reads the namespace between /ns/ and the next slash", () => {
    expect(namespaceFromPrincipal(REVIEWS_PRINCIPAL)).toBe("bookinfo");
    expect(namespaceFromPrincipal("cluster.local/ns/default")).toBe("default");
  });

  it("gives nothing for principals without a namespace", () => {
    expect(namespaceFromPrincipal("spiffe://cluster.local/sa/x")).toBeUndefined();
    expect(namespaceFromPrincipal(undefined)).toBeUndefined();
  });
});

describe("peerLabelValues", () => {
  const cluster = { host: "reviews.bookinfo.svc.cluster.local", service: { name: "reviews", namespace: "bookinfo" } };
  const endpoint: Endpoint = {
    address: "10.0.0.7",
    port: 9080,
    sidecar: true,
    labels: { app: "reviews", version: "v2" },
    workload: "reviews-v2",
    namespace: "bookinfo",
    weight: 1,
  };

  it("reports as source on outbound, with this workload as source and the endpoint as destination", () => {
    const v = asObject(peerLabelValues(productpage, outboundPeer(cluster, endpoint, REVIEWS_PRINCIPAL)));
    expect(v).toEqual({
      reporter: "source",
      source_workload: "productpage-v1",
      source_workload_namespace: "bookinfo",
      source_principal: productpage.spiffeId,
      source_app: "productpage",
      source_version: "v1",
      source_canonical_service: "productpage",
      source_canonical_revision: "v1",
      source_cluster: "Kubernetes",
      destination_workload: "reviews-v2",
      destination_workload_namespace: "bookinfo",
      destination_principal: REVIEWS_PRINCIPAL,
      destination_app: "reviews",
      destination_version: "v2",
      destination_service: "reviews.bookinfo.svc.cluster.local",
      destination_service_name: "reviews",
      destination_service_namespace: "bookinfo",
      destination_canonical_service: "reviews",
      destination_canonical_revision: "v2",
      destination_cluster: "unknown",
    });
  });

  it("reports principals as unknown on plain-text outbound traffic", () => {
    const v = asObject(peerLabelValues(productpage, outboundPeer(cluster, endpoint)));
    expect(v.source_principal).toBe("unknown");
    expect(v.destination_principal).toBe("unknown");
  });

  it("fills unknown for an endpoint without workload metadata, keeping the service", () => {
    const v = asObject(peerLabelValues(productpage, outboundPeer(cluster, undefined)));
    expect(v.destination_workload).toBe("unknown");
    expect(v.destination_app).toBe("unknown");
    expect(v.destination_canonical_service).toBe("unknown");
    expect(v.destination_canonical_revision).toBe("latest");
    expect(v.destination_service_name).toBe("reviews");
    expect(v.destination_service_namespace).toBe("bookinfo");
  });

  it("reports as destination on inbound, with the caller as source and its namespace from the principal", () => {
    const v = asObject(
      peerLabelValues(
        { ...productpage, name: "reviews-v2", labels: { app: "reviews", version: "v2" }, spiffeId: REVIEWS_PRINCIPAL },
        {
          direction: "inbound",
          principal: "spiffe://cluster.local/ns/frontend/sa/productpage",
          namespace: "ignored-when-principal-says-otherwise",
          service: { host: "reviews.bookinfo.svc.cluster.local", name: "reviews" },
        },
      ),
    );
    expect(v.reporter).toBe("destination");
    expect(v.source_workload).toBe("unknown");
    expect(v.source_workload_namespace).toBe("frontend");
    expect(v.source_principal).toBe("spiffe://cluster.local/ns/frontend/sa/productpage");
    expect(v.source_canonical_service).toBe("unknown");
    expect(v.source_canonical_revision).toBe("latest");
    expect(v.destination_workload).toBe("reviews-v2");
    expect(v.destination_principal).toBe(REVIEWS_PRINCIPAL);
    expect(v.destination_service).toBe("reviews.bookinfo.svc.cluster.local");
    expect(v.destination_service_namespace).toBe("bookinfo");
    expect(v.destination_canonical_service).toBe("reviews");
    expect(v.destination_cluster).toBe("Kubernetes");
  });

  it("falls back to the canonical service for the destination service on inbound when the caller named none", () => {
    const v = asObject(peerLabelValues(productpage, { direction: "inbound" }));
    expect(v.destination_service).toBe("productpage");
    expect(v.destination_service_name).toBe("productpage");
    expect(v.destination_principal).toBe("unknown");
  });
});

describe("connectionSecurityPolicy", () => {
  it("is mutual_tls on inbound with a peer certificate, none without, unknown on outbound as Istio's client side", () => {
    expect(connectionSecurityPolicy({ direction: "inbound", principal: REVIEWS_PRINCIPAL })).toBe("mutual_tls");
    expect(connectionSecurityPolicy({ direction: "inbound" })).toBe("none");
    expect(connectionSecurityPolicy({ direction: "outbound", principal: REVIEWS_PRINCIPAL })).toBe("unknown");
  });
});
