import { describe, it } from "vitest";
import { Code } from "./codes.ts";
import { DEST, expectError, expectValid, type ErrorRow, type ValidRow } from "./virtual-service.testing.ts";

const T = "spec.tcp[0]";
const tcp = (route: Record<string, unknown>) => ({ hosts: ["mongo.prod.svc.cluster.local"], tcp: [{ route: [DEST], ...route }] });

const rejected: ErrorRow[] = [
  { name: "requires a route", spec: tcp({ route: [] }), code: Code.requiredField, path: `${T}.route`, message: "TCP route is required" },
  { name: "rejects a destination subnet that is not a CIDR block", spec: tcp({ match: [{ destinationSubnets: ["10.0.0.0/33"] }] }), code: Code.invalidAddress, path: `${T}.match[0].destinationSubnets[0]`, message: "10.0.0.0/33 is not a valid CIDR block" },
  { name: "rejects a destination subnet that is not an IP", spec: tcp({ match: [{ destinationSubnets: ["10.0.0"] }] }), code: Code.invalidAddress, path: `${T}.match[0].destinationSubnets[0]`, message: "10.0.0 is not a valid IP" },
  { name: "rejects a match port out of range", spec: tcp({ match: [{ port: 65536 }] }), code: Code.invalidPort, path: `${T}.match[0].port`, message: "port number 65536 must be in the range 1..65535" },
  { name: "rejects all-zero weights across destinations", spec: tcp({ route: [{ ...DEST, weight: 0 }, { destination: { host: "b" }, weight: 0 }] }), code: Code.invalidWeight, path: `${T}.route`, message: "total destination weight = 0" },
  { name: "requires a destination on each entry", spec: tcp({ route: [{ weight: 1 }] }), code: Code.requiredField, path: `${T}.route[0].destination`, message: "destination is required" },
];

const accepted: ValidRow[] = [
  {
    name: "accepts every L4 match field",
    spec: tcp({ match: [{ destinationSubnets: ["10.0.0.0/8", "2001:db8::1"], port: 27017, sourceSubnet: "10.1.0.0/16", sourceLabels: { app: "client" }, gateways: ["mesh"], sourceNamespace: "prod" }] }),
  },
  { name: "accepts a weighted TCP shift", spec: tcp({ route: [{ destination: { host: "tcp-echo", subset: "v1" }, weight: 80 }, { destination: { host: "tcp-echo", subset: "v2" }, weight: 20 }] }) },
];

describe("TCPRoute", () => {
  it.each(rejected)("$name", expectError);
  it.each(accepted)("$name", expectValid);
});
