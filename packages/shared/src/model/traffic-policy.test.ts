import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { errorsOf, expectError, manifest } from "./manifest.fixture.ts";

const policy = (trafficPolicy: unknown) => manifest("DestinationRule", { host: "reviews", trafficPolicy });

describe("TrafficPolicy", () => {
  const rejected = [
    { case: "an empty policy", tp: {}, code: Code.emptyValue, path: "spec.trafficPolicy", message: "traffic policy must have at least one field" },
    { case: "a policy whose only field is an empty list", tp: { portLevelSettings: [] }, code: Code.emptyValue, path: "spec.trafficPolicy", message: "traffic policy must have at least one field" },
    {
      case: "tunnel together with proxyProtocol",
      tp: { tunnel: { targetHost: "example.com", targetPort: 443 }, proxyProtocol: { version: "V2" } },
      code: Code.mutuallyExclusive,
      path: "spec.trafficPolicy.proxyProtocol",
      message: "tunnel and proxyProtocol must not be set together",
    },
    { case: "a tunnel protocol other than CONNECT or POST", tp: { tunnel: { protocol: "GET", targetHost: "example.com", targetPort: 443 } }, code: Code.unknownEnumValue, path: "spec.trafficPolicy.tunnel.protocol", message: 'tunnel protocol must be "CONNECT" or "POST"' },
    { case: "a tunnel target that is neither FQDN nor IP", tp: { tunnel: { targetHost: "bad host", targetPort: 443 } }, code: Code.invalidHost, path: "spec.trafficPolicy.tunnel.targetHost", message: "tunnel target host must be valid FQDN or IP address" },
    { case: "a tunnel target port out of range", tp: { tunnel: { targetHost: "10.0.0.1", targetPort: 70000 } }, code: Code.invalidPort, path: "spec.trafficPolicy.tunnel.targetPort", message: "port number 70000 must be in the range 1..65535" },
    { case: "a tunnel without a target port", tp: { tunnel: { targetHost: "example.com" } }, code: Code.requiredField, path: "spec.trafficPolicy.tunnel.targetPort", message: 'missing required field "targetPort"' },
    { case: "an unknown PROXY protocol version", tp: { proxyProtocol: { version: "V3" } }, code: Code.unknownEnumValue, path: "spec.trafficPolicy.proxyProtocol.version", message: 'unsupported value "V3"' },
    {
      case: "port-level settings without a port",
      tp: { portLevelSettings: [{ loadBalancer: { simple: "ROUND_ROBIN" } }] },
      code: Code.requiredField,
      path: "spec.trafficPolicy.portLevelSettings[0].port",
      message: "portTrafficPolicy must have valid port",
    },
    {
      case: "port-level settings with only a port",
      tp: { portLevelSettings: [{ port: { number: 80 } }] },
      code: Code.emptyValue,
      path: "spec.trafficPolicy.portLevelSettings[0]",
      message: "port traffic policy must have at least one field",
    },
    {
      case: "a port-level port out of range",
      tp: { portLevelSettings: [{ port: { number: 0 }, tls: { mode: "SIMPLE" } }] },
      code: Code.invalidPort,
      path: "spec.trafficPolicy.portLevelSettings[0].port.number",
      message: "port number 0 must be in the range 1..65535",
    },
  ];
  it.each(rejected)("rejects $case", ({ tp, ...want }) => expectError(policy(tp), want));

  const accepted = [
    { case: "a load balancer alone", tp: { loadBalancer: { simple: "RANDOM" } } },
    { case: "a CONNECT tunnel to an IP", tp: { tunnel: { protocol: "CONNECT", targetHost: "10.0.0.1", targetPort: 8443 } } },
    { case: "a POST tunnel to an FQDN", tp: { tunnel: { protocol: "POST", targetHost: "egress.example.com", targetPort: 443 } } },
    { case: "PROXY protocol v2", tp: { proxyProtocol: { version: "V2" } } },
    { case: "per-port TLS origination", tp: { loadBalancer: { simple: "ROUND_ROBIN" }, portLevelSettings: [{ port: { number: 443 }, tls: { mode: "SIMPLE" } }] } },
    {
      case: "every section at once",
      tp: {
        loadBalancer: { simple: "LEAST_REQUEST", warmup: { duration: "60s" } },
        connectionPool: { tcp: { maxConnections: 100 }, http: { http2MaxRequests: 1000 } },
        outlierDetection: { consecutive5xxErrors: 7, interval: "5m", baseEjectionTime: "15m" },
        tls: { mode: "ISTIO_MUTUAL" },
      },
    },
  ];
  it.each(accepted)("accepts $case", ({ tp }) => expect(errorsOf(policy(tp))).toEqual([]));
});
