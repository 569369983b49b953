import { describe, expect, it } from "vitest";
import type { VirtualServiceSpec } from "../../model/virtual-service.ts";
import { destinationsOf, gatewayRefsOf, resolveGatewayName } from "./virtual-service-refs.ts";

describe("resolveGatewayName", () => {
  it.each([
    ["a bare name is in the VirtualService's namespace", "public", "default/public"],
    ["namespace/name is taken as written", "istio-system/public", "istio-system/public"],
    ["the legacy FQDN names name and namespace", "public.istio-system.svc.cluster.local", "istio-system/public"],
    ["mesh is the sidecars, not a Gateway", "mesh", undefined],
  ])("%s", (_name, ref, expected) => expect(resolveGatewayName(ref, "default")).toBe(expected));
});

describe("references of a VirtualService", () => {
  const spec = {
    hosts: ["reviews"],
    gateways: ["public"],
    http: [{ match: [{ gateways: ["internal"] }], route: [{ destination: { host: "a", subset: "v1" } }, { destination: { host: "b" } }], mirror: { host: "c" }, mirrors: [{ destination: { host: "d" } }] }],
    tcp: [{ route: [{ destination: { host: "e" } }] }],
    tls: [{ match: [{ sniHosts: ["reviews"], gateways: ["edge"] }], route: [{ destination: { host: "f" } }] }],
  } as VirtualServiceSpec;

  it("lists every route and mirror destination with its path", () => {
    expect(destinationsOf(spec).map((d) => `${d.host} ${d.path.join(".")}`)).toEqual([
      "a spec.http.0.route.0.destination",
      "b spec.http.0.route.1.destination",
      "c spec.http.0.mirror",
      "d spec.http.0.mirrors.0.destination",
      "e spec.tcp.0.route.0.destination",
      "f spec.tls.0.route.0.destination",
    ]);
  });

  it("lists spec.gateways and the gateways of matches", () => {
    expect(gatewayRefsOf(spec).map((g) => `${g.name} ${g.path.join(".")}`)).toEqual(["public spec.gateways.0", "internal spec.http.0.match.0.gateways.0", "edge spec.tls.0.match.0.gateways.0"]);
  });
});
