import { describe, it } from "vitest";
import { Code } from "./codes.ts";
import { DEST, expectError, expectValid, type ErrorRow, type ValidRow } from "./virtual-service.testing.ts";

const T = "spec.tls[0]";
const tls = (route: Record<string, unknown>) => ({ hosts: ["*.bookinfo.com"], gateways: ["gw"], tls: [{ match: [{ sniHosts: ["login.bookinfo.com"] }], route: [DEST], ...route }] });

const rejected: ErrorRow[] = [
  { name: "requires a match", spec: tls({ match: [] }), code: Code.requiredField, path: `${T}.match`, message: "TLS route must have at least one match condition" },
  { name: "requires a route", spec: tls({ route: undefined }), code: Code.requiredField, path: `${T}.route`, message: "TLS route is required" },
  { name: "requires an SNI host in each match", spec: tls({ match: [{ port: 443 }] }), code: Code.requiredField, path: `${T}.match[0].sniHosts`, message: "TLS match must have at least one SNI host" },
  { name: "rejects an invalid destination subnet", spec: tls({ match: [{ sniHosts: ["a.bookinfo.com"], destinationSubnets: ["not-an-ip"] }] }), code: Code.invalidAddress, path: `${T}.match[0].destinationSubnets[0]`, message: "not-an-ip is not a valid IP" },
];

const accepted: ValidRow[] = [
  {
    name: "accepts every TLS match field",
    spec: tls({ match: [{ sniHosts: ["login.bookinfo.com", "*.bookinfo.com"], destinationSubnets: ["10.0.0.0/8"], port: 443, sourceLabels: { app: "x" }, gateways: ["gw"], sourceNamespace: "prod" }] }),
  },
  { name: "accepts an IP address as SNI, which Istio only warns about", spec: tls({ match: [{ sniHosts: ["10.0.0.1"] }] }) },
];

describe("TLSRoute", () => {
  it.each(rejected)("$name", expectError);
  it.each(accepted)("$name", expectValid);
});
