import { describe, it } from "vitest";
import { Code } from "../../model/codes.ts";
import { expectFindings, gateway, virtualService, type Expected } from "./testing.ts";

const vs = (ref: string, hosts: string[], extra: Record<string, unknown> = {}) =>
  virtualService(ref, { hosts, http: [{ route: [{ destination: { host: "reviews.default.svc.cluster.local" } }] }], ...extra });
const gw = (ref: string) => gateway(ref, { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }] });

const rows: { name: string; docs: string[]; expected: Expected[] }[] = [
  {
    name: "is an error on each VirtualService when two route one host for the mesh",
    docs: [vs("default/reviews", ["reviews"]), vs("default/reviews-canary", ["reviews"])],
    expected: [
      {
        severity: "error",
        path: "spec.hosts[0]",
        message: "host reviews.default.svc.cluster.local is also routed for the mesh by VirtualService default/reviews-canary: a sidecar applies only one VirtualService per host, so the other's routes are ignored",
        on: "VirtualService default/reviews",
      },
      { severity: "error", path: "spec.hosts[0]", message: /also routed for the mesh by VirtualService default\/reviews:/, on: "VirtualService default/reviews-canary" },
    ],
  },
  {
    name: "sees a short and a qualified name of the same host as one host",
    docs: [vs("default/a", ["ratings", "reviews"]), vs("default/b", ["reviews.default.svc.cluster.local"])],
    expected: [
      { severity: "error", path: "spec.hosts[1]", message: /^host reviews\.default\.svc\.cluster\.local .* default\/b:/, on: "VirtualService default/a" },
      { severity: "error", path: "spec.hosts[0]", message: /default\/a:/, on: "VirtualService default/b" },
    ],
  },
  {
    name: "accepts different hosts",
    docs: [vs("default/a", ["reviews"]), vs("default/b", ["ratings"])],
    expected: [],
  },
  {
    name: "warns when two VirtualServices route one host on the same Gateway",
    docs: [gw("istio-system/public"), vs("default/a", ["shop.example.com"], { gateways: ["istio-system/public"] }), vs("default/b", ["shop.example.com"], { gateways: ["istio-system/public"] })],
    expected: [
      {
        severity: "warning",
        path: "spec.hosts[0]",
        message: "host shop.example.com on Gateway istio-system/public is also routed by VirtualService default/b: Istio merges their routes, in an order that is not guaranteed",
        on: "VirtualService default/a",
      },
      { severity: "warning", path: "spec.hosts[0]", message: /also routed by VirtualService default\/a:/, on: "VirtualService default/b" },
    ],
  },
  {
    name: "recognises one Gateway however it is named",
    docs: [gw("web/public"), vs("web/a", ["shop.example.com"], { gateways: ["public"] }), vs("default/b", ["shop.example.com"], { gateways: ["public.web.svc.cluster.local"] })],
    expected: [
      { severity: "warning", path: "spec.hosts[0]", message: /on Gateway web\/public/, on: "VirtualService web/a" },
      { severity: "warning", path: "spec.hosts[0]", message: /on Gateway web\/public/, on: "VirtualService default/b" },
    ],
  },
  {
    name: "accepts one host on different Gateways, or on a Gateway and the mesh",
    docs: [gw("web/a"), gw("web/b"), vs("web/x", ["shop.example.com"], { gateways: ["a"] }), vs("web/y", ["shop.example.com"], { gateways: ["b"] }), vs("web/z", ["shop.example.com"])],
    expected: [],
  },
  {
    name: "flags only the mesh binding of a VirtualService bound to a Gateway and the mesh",
    docs: [gw("default/public"), vs("default/a", ["reviews"], { gateways: ["public", "mesh"] }), vs("default/b", ["reviews"])],
    expected: [
      { severity: "error", path: "spec.hosts[0]", message: /for the mesh by VirtualService default\/b/, on: "VirtualService default/a" },
      { severity: "error", path: "spec.hosts[0]", message: /for the mesh by VirtualService default\/a/, on: "VirtualService default/b" },
    ],
  },
  {
    name: "accepts VirtualServices whose exportTo keep them apart",
    docs: [vs("web/a", ["reviews.default.svc.cluster.local"], { exportTo: ["."] }), vs("api/b", ["reviews.default.svc.cluster.local"], { exportTo: ["."] })],
    expected: [],
  },
  {
    name: "flags VirtualServices exported to a common namespace",
    docs: [vs("web/a", ["reviews.default.svc.cluster.local"], { exportTo: ["."] }), vs("api/b", ["reviews.default.svc.cluster.local"], { exportTo: ["web"] })],
    expected: [
      { severity: "error", path: "spec.hosts[0]", message: /api\/b/, on: "VirtualService web/a" },
      { severity: "error", path: "spec.hosts[0]", message: /web\/a/, on: "VirtualService api/b" },
    ],
  },
];

describe("SK2004 duplicateVirtualServiceHost", () => {
  it.each(rows)("$name", ({ docs, expected }) => expectFindings(docs, Code.duplicateVirtualServiceHost, expected));
});
