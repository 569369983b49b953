import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { errorsOf, expectError, manifest } from "./manifest.fixture.ts";

const se = (spec: unknown, metadata?: Record<string, unknown>) => manifest("ServiceEntry", spec, metadata);
const http = { number: 80, name: "http", protocol: "HTTP" };

describe("ServiceEntry", () => {
  const rejected = [
    { case: "a spec without hosts", spec: {}, code: Code.requiredField, path: "spec.hosts", message: 'missing required field "hosts"' },
    { case: "an empty host list", spec: { hosts: [] }, code: Code.requiredField, path: "spec.hosts", message: "service entry must have at least one host" },
    { case: "the catch-all host *", spec: { hosts: ["*"] }, code: Code.invalidHost, path: "spec.hosts[0]", message: "hostname cannot be wildcard" },
    { case: "an invalid host", spec: { hosts: ["ba!r.com"] }, code: Code.invalidHost, path: "spec.hosts[0]", message: 'label "ba!r" invalid' },
    { case: "an address that is neither IP nor CIDR", spec: { hosts: ["a.com"], addresses: ["10.0.0.300"] }, code: Code.invalidAddress, path: "spec.addresses[0]", message: "10.0.0.300 is not a valid IP" },
    { case: "a malformed CIDR block", spec: { hosts: ["a.com"], addresses: ["10.0.0.0/33"] }, code: Code.invalidAddress, path: "spec.addresses[0]", message: "10.0.0.0/33 is not a valid CIDR block" },
    { case: "a CIDR address with DNS resolution", spec: { hosts: ["a.com"], addresses: ["1.2.3.4/16"], resolution: "DNS" }, code: Code.invalidAddress, path: "spec.addresses[0]", message: "CIDR addresses are allowed only for NONE/STATIC resolution types" },
    { case: "a port without a name", spec: { hosts: ["a.com"], ports: [{ number: 80 }] }, code: Code.requiredField, path: "spec.ports[0].name", message: 'missing required field "name"' },
    { case: "a port name that is not a DNS label", spec: { hosts: ["a.com"], ports: [{ number: 80, name: "http_1" }] }, code: Code.invalidName, path: "spec.ports[0].name", message: "invalid port name: http_1" },
    { case: "an unknown protocol", spec: { hosts: ["a.com"], ports: [{ number: 80, name: "web", protocol: "HTTP3" }] }, code: Code.unknownEnumValue, path: "spec.ports[0].protocol", message: "unsupported protocol: HTTP3" },
    { case: "a port number out of range", spec: { hosts: ["a.com"], ports: [{ number: 99999, name: "a" }] }, code: Code.invalidPort, path: "spec.ports[0].number", message: "port number 99999 must be in the range 1..65535" },
    { case: "a target port of 0", spec: { hosts: ["a.com"], ports: [{ number: 1, name: "a", targetPort: 0 }] }, code: Code.invalidPort, path: "spec.ports[0].targetPort", message: "port number 0 must be in the range 1..65535" },
    { case: "two ports with one name", spec: { hosts: ["a.com"], ports: [{ number: 1, name: "a" }, { number: 12, name: "a" }] }, code: Code.duplicateValue, path: "spec.ports[1].name", message: 'duplicate port name "a"' },
    { case: "two ports with one number", spec: { hosts: ["a.com"], ports: [{ number: 1, name: "a" }, { number: 1, name: "b" }] }, code: Code.duplicateValue, path: "spec.ports[1].number", message: "port number cannot be duplicated" },
    { case: "an unknown resolution, naming the nearest", spec: { hosts: ["a.com"], resolution: "STATC" }, code: Code.unknownEnumValue, path: "spec.resolution", message: 'did you mean "STATIC"' },
    { case: "a wildcard in the workload selector", spec: { hosts: ["a.com"], workloadSelector: { labels: { val: "*" } } }, code: Code.invalidSelector, path: "spec.workloadSelector.labels.val", message: "wildcard is not supported in selector" },
    {
      case: "a workload selector together with endpoints",
      spec: { hosts: ["a.com"], resolution: "STATIC", workloadSelector: {}, endpoints: [{ address: "1.2.3.4" }] },
      code: Code.mutuallyExclusive,
      path: "spec.workloadSelector",
      message: "only one of WorkloadSelector or Endpoints can be set",
    },
    { case: "endpoints with NONE resolution (the default)", spec: { hosts: ["a.com"], endpoints: [{ address: "1.2.3.4" }] }, code: Code.invalidValue, path: "spec.endpoints", message: "NONE mode cannot set endpoints" },
    {
      case: "two endpoints with DNS_ROUND_ROBIN",
      spec: { hosts: ["a.com"], resolution: "DNS_ROUND_ROBIN", endpoints: [{ address: "sub1.a.com" }, { address: "sub2.a.com" }] },
      code: Code.invalidValue,
      path: "spec.endpoints[1]",
      message: "DNS_ROUND_ROBIN mode cannot have multiple endpoints",
    },
    { case: "a wildcard host with DNS and no endpoints", spec: { hosts: ["*.a.com"], ports: [http], resolution: "DNS" }, code: Code.invalidHost, path: "spec.hosts[0]", message: "hosts must be FQDN if no endpoints are provided for resolution mode DNS" },
    {
      case: "a DNS endpoint that is neither FQDN nor IP",
      spec: { hosts: ["google.com"], ports: [http], resolution: "DNS", endpoints: [{ address: "not a valid hostname!" }] },
      code: Code.invalidAddress,
      path: "spec.endpoints[0].address",
      message: 'endpoint address "not a valid hostname!" is not a valid FQDN or an IP address',
    },
    {
      case: "a hostname endpoint with STATIC resolution",
      spec: { hosts: ["a.com"], ports: [http], resolution: "STATIC", endpoints: [{ address: "backend.a.com" }] },
      code: Code.invalidAddress,
      path: "spec.endpoints[0].address",
      message: 'endpoint address "backend.a.com" is not a valid IP address',
    },
    {
      case: "an endpoint port that names no service port",
      spec: { hosts: ["foo.example.com"], addresses: ["10.0.0.1"], ports: [{ number: 80, name: "http-valid1", protocol: "HTTP" }], resolution: "STATIC", endpoints: [{ address: "1.1.1.1", ports: { "http-unknown": 9080 } }] },
      code: Code.invalidPort,
      path: 'spec.endpoints[0].ports["http-unknown"]',
      message: "endpoint port 9080 is not defined by the service entry",
    },
    {
      case: "a unix endpoint with two service ports",
      spec: { hosts: ["a.com"], ports: [http, { number: 81, name: "http2", protocol: "HTTP" }], resolution: "STATIC", endpoints: [{ address: "unix:///var/run/app.sock" }] },
      code: Code.invalidPort,
      path: "spec.endpoints[0].address",
      message: "exactly 1 service port required for unix endpoints",
    },
    {
      case: "several hosts sharing a plain TCP port",
      spec: { hosts: ["a.com", "b.com"], ports: [{ number: 5432, name: "tcp", protocol: "TCP" }], resolution: "DNS" },
      code: Code.invalidValue,
      path: "spec.ports[0].protocol",
      message: "multiple hosts provided with non-HTTP, non-TLS ports",
    },
    { case: "DYNAMIC_DNS with a non-wildcard host", spec: { hosts: ["a.com"], ports: [http], resolution: "DYNAMIC_DNS" }, code: Code.invalidHost, path: "spec.hosts[0]", message: "DYNAMIC_DNS resolution must be used with wildcard hosts" },
    { case: "DYNAMIC_DNS inside the mesh", spec: { hosts: ["*.a.com"], ports: [http], resolution: "DYNAMIC_DNS", location: "MESH_INTERNAL" }, code: Code.invalidValue, path: "spec.location", message: "only supported for MESH_EXTERNAL" },
    { case: "exporting to nobody and to a namespace", spec: { hosts: ["a.com"], exportTo: ["~", "ns1"] }, code: Code.mutuallyExclusive, path: "spec.exportTo[0]", message: "cannot export service entry to no one (~) and someone" },
  ];
  it.each(rejected)("rejects $case", ({ spec, ...want }) => expectError(se(spec), want));

  it('rejects exporting to both "." and its own namespace', () => {
    expectError(se({ hosts: ["a.com"], exportTo: ["prod", "."] }, { name: "s", namespace: "prod" }), {
      code: Code.duplicateValue,
      path: "spec.exportTo[1]",
      message: "duplicate entries in exportTo: . and current namespace prod",
    });
  });

  const accepted = [
    { case: "an external HTTP and HTTPS API resolved by DNS", spec: { hosts: ["www.googleapis.com"], ports: [http, { number: 443, name: "https", protocol: "HTTPS" }], resolution: "DNS" } },
    { case: "a static endpoint on loopback", spec: { hosts: ["external-authz-grpc.local"], endpoints: [{ address: "127.0.0.1" }], ports: [{ name: "grpc", number: 9191, protocol: "GRPC" }], resolution: "STATIC" } },
    {
      case: "DNS endpoints with per-endpoint ports and localities",
      spec: { hosts: ["foo.bar.com"], ports: [http], resolution: "DNS", endpoints: [{ address: "us.foo.bar.com", ports: { http: 8080 }, locality: "us/us-east-1/az-1", weight: 3 }, { address: "uk.foo.bar.com", network: "n1", labels: { app: "foo" } }] },
    },
    { case: "a single DNS_ROUND_ROBIN endpoint", spec: { hosts: ["a.com"], ports: [http], resolution: "DNS_ROUND_ROBIN", endpoints: [{ address: "lb.a.com" }] } },
    { case: "a CIDR range passed through", spec: { hosts: ["mongo.internal"], addresses: ["10.0.0.0/16", "2001:db8::/32"], ports: [{ number: 27017, name: "mongo", protocol: "MONGO" }], location: "MESH_INTERNAL" } },
    { case: "a mesh-internal service selecting workloads", spec: { hosts: ["details.bookinfo.com"], location: "MESH_INTERNAL", ports: [http], resolution: "STATIC", workloadSelector: { labels: { app: "details" } }, subjectAltNames: ["spiffe://cluster.local/ns/bookinfo/sa/details"] } },
    { case: "a unix socket endpoint with one port", spec: { hosts: ["uds.local"], ports: [{ number: 80, name: "http", protocol: "HTTP", targetPort: 8080 }], resolution: "STATIC", endpoints: [{ address: "unix:///var/run/app.sock" }] } },
    { case: "several hosts on HTTP and TLS ports", spec: { hosts: ["a.com", "b.com"], ports: [http, { number: 443, name: "tls", protocol: "TLS" }], resolution: "DNS" } },
    { case: "DYNAMIC_DNS with a wildcard host", spec: { hosts: ["*.example.com"], ports: [http], resolution: "DYNAMIC_DNS", location: "MESH_EXTERNAL" } },
    { case: "a port left to protocol sniffing", spec: { hosts: ["a.com"], addresses: ["240.0.0.1"], ports: [{ number: 9000, name: "app" }] } },
    { case: "exporting to nobody", spec: { hosts: ["a.com"], exportTo: ["~"] } },
  ];
  it.each(accepted)("accepts $case", ({ spec }) => expect(errorsOf(se(spec))).toEqual([]));
});
