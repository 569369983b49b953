import { describe, it } from "vitest";
import { Code } from "./codes.ts";
import { DEST, expectError, expectValid, type ErrorRow, type ValidRow } from "./virtual-service.testing.ts";

const http = [{ route: [DEST] }];

const rejected: ErrorRow[] = [
  {
    name: "rejects a host that is not a DNS name, naming the bad part as Istio does",
    spec: { hosts: ["foo.ba!r"], http },
    code: Code.invalidHost,
    path: "spec.hosts[0]",
    message: 'domain name "ba!r" invalid (label "ba!r" invalid)',
  },
  {
    name: "rejects an all-numeric top-level domain that is not an IP address",
    spec: { hosts: ["foo.123"], http },
    code: Code.invalidHost,
    path: "spec.hosts[0]",
    message: 'top level domain "123" cannot be all-numeric',
  },
  {
    name: "rejects overlapping wildcard hosts",
    spec: { hosts: ["*.foo.bar", "*.bar"], http },
    code: Code.duplicateValue,
    path: "spec.hosts[1]",
    message: "duplicate hosts in virtual service: *.foo.bar & *.bar",
  },
  {
    name: "rejects a literal host twice",
    spec: { hosts: ["reviews", "reviews"], http },
    code: Code.duplicateValue,
    path: "spec.hosts[1]",
    message: "duplicate hosts in virtual service: reviews & reviews",
  },
  {
    name: "rejects the bare * host for the mesh",
    spec: { hosts: ["*"], http },
    code: Code.invalidHost,
    path: "spec.hosts[0]",
    message: "wildcard host * is not allowed for virtual services bound to the mesh gateway",
  },
  {
    name: "rejects the bare * host when mesh is among the gateways",
    spec: { hosts: ["*"], gateways: ["mesh", "my-gateway"], http },
    code: Code.invalidHost,
    path: "spec.hosts[0]",
    message: "wildcard host * is not allowed",
  },
  {
    name: "rejects a gateway name that is not a DNS name",
    spec: { hosts: ["foo.bar"], gateways: ["b@dgateway"], http },
    code: Code.invalidName,
    path: "spec.gateways[0]",
    message: 'domain name "b@dgateway" invalid',
  },
  {
    name: "rejects a wildcard gateway name in namespace/name form",
    spec: { hosts: ["foo.bar"], gateways: ["ns1/*"], http },
    code: Code.invalidName,
    path: "spec.gateways[0]",
    message: 'invalid value for gateway name: "*"',
  },
  {
    name: "rejects an invalid namespace in a gateway reference",
    spec: { hosts: ["foo.bar"], gateways: ["Bad_NS/gw"], http },
    code: Code.invalidName,
    path: "spec.gateways[0]",
    message: 'invalid value for namespace: "Bad_NS"',
  },
  {
    name: "requires at least one of http, tcp or tls",
    spec: { hosts: ["foo.bar"] },
    code: Code.requiredField,
    path: "spec",
    message: "http, tcp or tls must be provided in virtual service",
  },
  {
    name: "rejects JWT claim routing on a mesh-bound VirtualService",
    spec: { hosts: ["foo.bar"], gateways: ["mesh"], http: [{ match: [{ headers: { "@request.auth.claims.foo": { exact: "bar" } } }], route: [DEST] }] },
    code: Code.invalidHeader,
    path: 'spec.http[0].match[0].headers["@request.auth.claims.foo"]',
    message: "JWT claim based routing (key: @request.auth.claims.foo) is only supported for gateway, found no gateways: [mesh]",
  },
  {
    name: "rejects JWT claim routing in withoutHeaders when no gateway is named",
    spec: { hosts: ["foo.bar"], http: [{ match: [{ withoutHeaders: { "@request.auth.claims[group]": { exact: "x" } } }], route: [DEST] }] },
    code: Code.invalidHeader,
    path: 'spec.http[0].match[0].withoutHeaders["@request.auth.claims[group]"]',
    message: "found no gateways: []",
  },
  {
    name: "rejects gateways on a delegate (hostless) VirtualService",
    spec: { gateways: ["my-gateway"], http },
    code: Code.invalidValue,
    path: "spec.gateways",
    message: "delegate virtual service must have no gateways specified",
  },
  {
    name: "rejects TCP routes on a delegate VirtualService",
    spec: { tcp: [{ route: [DEST] }] },
    code: Code.invalidValue,
    path: "spec.tcp",
    message: "delegate virtual service must have no tcp route specified",
  },
  {
    name: "rejects a second level of delegation",
    spec: { http: [{ delegate: { name: "other" } }] },
    code: Code.invalidValue,
    path: "spec.http[0].delegate",
    message: "delegate HTTP route cannot contain delegate",
  },
  {
    name: "rejects an SNI host outside the VirtualService's hosts",
    spec: { hosts: ["*.bookinfo.com"], gateways: ["gw"], tls: [{ match: [{ sniHosts: ["login.example.com"] }], route: [DEST] }] },
    code: Code.invalidHost,
    path: "spec.tls[0].match[0].sniHosts[0]",
    message: 'SNI host "login.example.com" is not a compatible subset of any of the virtual service hosts: [*.bookinfo.com]',
  },
  {
    name: "rejects an SNI host that is not a DNS name",
    spec: { hosts: ["*.bookinfo.com"], gateways: ["gw"], tls: [{ match: [{ sniHosts: ["a!.bookinfo.com"] }], route: [DEST] }] },
    code: Code.invalidHost,
    path: "spec.tls[0].match[0].sniHosts[0]",
    message: 'domain name "a!.bookinfo.com" invalid',
  },
  {
    name: "rejects ~ in exportTo, which only ServiceEntries may use",
    spec: { hosts: ["reviews"], http, exportTo: ["~"] },
    code: Code.invalidValue,
    path: "spec.exportTo[0]",
    message: "exportTo ~ (none) is not allowed",
  },
  {
    name: "rejects an exportTo entry that is not a namespace name",
    spec: { hosts: ["reviews"], http, exportTo: ["Not_A_Namespace"] },
    code: Code.invalidValue,
    path: "spec.exportTo[0]",
    message: "only .,*, or a valid DNS 1123 label is allowed as exportTo entry",
  },
  {
    name: "rejects a duplicate exportTo entry",
    spec: { hosts: ["reviews"], http, exportTo: ["ns1", "ns1"] },
    code: Code.duplicateValue,
    path: "spec.exportTo[1]",
    message: "duplicate entries in exportTo for entry ns1",
  },
  {
    name: "rejects * beside other exportTo entries",
    spec: { hosts: ["reviews"], http, exportTo: ["*", "ns1"] },
    code: Code.invalidValue,
    path: "spec.exportTo",
    message: "cannot have both public (*) and non-public exportTo values",
  },
  {
    name: "reports a misspelt field with the nearest valid one",
    spec: { hosts: ["reviews"], htpp: http },
    code: Code.unknownField,
    path: "spec.htpp",
    message: 'unknown field "htpp" (did you mean "http"?)',
  },
];

const accepted: ValidRow[] = [
  { name: "accepts a short host, an FQDN and a wildcard together", spec: { hosts: ["reviews", "ratings.prod.svc.cluster.local", "*.example.com"], http } },
  { name: "accepts an IP address as host", spec: { hosts: ["10.0.0.1"], gateways: ["gw"], http } },
  { name: "accepts the bare * host on a gateway-bound VirtualService", spec: { hosts: ["*"], gateways: ["istio-system/ingress"], http } },
  { name: "accepts a hostless delegate VirtualService with HTTP routes", spec: { http } },
  { name: "accepts a root route that delegates", spec: { hosts: ["bookinfo.com"], gateways: ["gw"], http: [{ match: [{ uri: { prefix: "/reviews" } }], delegate: { name: "reviews", namespace: "ns-b" } }] } },
  { name: "accepts JWT claim routing on a gateway-bound VirtualService", spec: { hosts: ["foo.bar"], gateways: ["gw"], http: [{ match: [{ headers: { "@request.auth.claims.group": { exact: "admin" } } }], route: [DEST] }] } },
  { name: "accepts exportTo with . and a namespace", spec: { hosts: ["reviews"], http, exportTo: [".", "ns1"] } },
  { name: "accepts an SNI host covered by a wildcard host", spec: { hosts: ["*.bookinfo.com"], gateways: ["gw"], tls: [{ match: [{ port: 443, sniHosts: ["login.bookinfo.com"] }], route: [DEST] }] } },
  { name: "accepts Istio's generated outbound_ SNI names on a gateway", spec: { hosts: ["*.e2e.foobar.mesh"], gateways: ["gw"], tls: [{ match: [{ sniHosts: ["outbound_.80_._.e2e.foobar.mesh"] }], route: [DEST] }] } },
  { name: "accepts legacy FQDN and namespace/name gateway references", spec: { hosts: ["reviews"], gateways: ["gw.istio-system.svc.cluster.local", "istio-system/gw", "mesh"], http } },
];

describe("VirtualService spec", () => {
  it.each(rejected)("$name", expectError);
  it.each(accepted)("$name", expectValid);
});
