import { describe, it } from "vitest";
import { Code } from "../../model/codes.ts";
import { expectFindings, gateway, virtualService, type Expected } from "./testing.ts";

const gw = (ref: string) => gateway(ref, { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }] });
const bound = (ref: string, gateways: string[], extra: Record<string, unknown> = {}) =>
  virtualService(ref, { hosts: ["shop.example.com"], gateways, http: [{ route: [{ destination: { host: "shop.default.svc.cluster.local" } }], ...extra }] });

const rows: { name: string; docs: string[]; expected: Expected[] }[] = [
  {
    name: "accepts a Gateway in the VirtualService's namespace named bare",
    docs: [gw("default/public"), bound("default/shop", ["public"])],
    expected: [],
  },
  {
    name: "accepts namespace/name and the legacy name.namespace.svc.cluster.local",
    docs: [gw("istio-system/public"), bound("default/shop", ["istio-system/public", "public.istio-system.svc.cluster.local"])],
    expected: [],
  },
  {
    name: "does not look for a Gateway called mesh",
    docs: [bound("default/shop", ["mesh"])],
    expected: [],
  },
  {
    name: "warns about a Gateway that is not in the input",
    docs: [bound("default/shop", ["istio-system/public"])],
    expected: [
      {
        severity: "warning",
        path: "spec.gateways[0]",
        message: "VirtualService default/shop is bound to Gateway istio-system/public, which is not in the input",
        on: "VirtualService default/shop",
      },
    ],
  },
  {
    name: "names the Gateway a bare name resolves to",
    docs: [gw("istio-system/public"), bound("default/shop", ["public"])],
    expected: [{ severity: "warning", path: "spec.gateways[0]", message: 'VirtualService default/shop is bound to Gateway default/public ("public"), which is not in the input' }],
  },
  {
    name: "checks the gateways of a route's match",
    docs: [gw("default/public"), bound("default/shop", ["public"], { match: [{ gateways: ["internal"] }] })],
    expected: [{ severity: "warning", path: "spec.http[0].match[0].gateways[0]", message: /Gateway default\/internal \("internal"\)/ }],
  },
];

describe("SK2007 gatewayNotFound", () => {
  it.each(rows)("$name", ({ docs, expected }) => expectFindings(docs, Code.gatewayNotFound, expected));
});
