import { describe, expect, it } from "vitest";
import { validateSources } from "../validate/validate.ts";
import { Code } from "./codes.ts";

/** A Gateway whose `spec` is the given YAML, indented under `spec:`. */
function gatewayErrors(spec: string, name = "gw") {
  const text = `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: ${name}\nspec:\n${spec.replace(/^/gm, "  ")}\n`;
  return validateSources([{ file: "gw.yaml", text }]).files[0]!.diagnostics.filter((d) => d.severity === "error");
}

const http = (extra = "") => `servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: ["foo.example.com"]\n${extra}`;
const https = (tls: string) => `servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: ["foo.example.com"]\n  tls: ${tls}`;

describe("Gateway", () => {
  it.each([
    ["an HTTP server on port 80", http()],
    ["an HTTP server that only redirects to HTTPS", http("  tls: {httpsRedirect: true}")],
    ["SIMPLE TLS with a certificate and key", https("{mode: SIMPLE, serverCertificate: /c.pem, privateKey: /k.pem}")],
    ["SIMPLE TLS with a credential", https("{mode: SIMPLE, credentialName: my-secret}")],
    ["MUTUAL TLS with a credential and no CA", https("{mode: MUTUAL, credentialName: my-secret}")],
    ["OPTIONAL_MUTUAL with certificate, key and CA", https("{mode: OPTIONAL_MUTUAL, serverCertificate: /c, privateKey: /k, caCertificates: /ca}")],
    ["two certificates in tlsCertificates", https("{mode: SIMPLE, tlsCertificates: [{serverCertificate: /a, privateKey: /ka}, {serverCertificate: /b, privateKey: /kb}]}")],
    ["TLS passthrough on a TLS port", "servers:\n- port: {number: 443, name: tls, protocol: TLS}\n  hosts: ['*.example.com']\n  tls: {mode: PASSTHROUGH}"],
    ["ISTIO_MUTUAL with protocol versions and ciphers", https("{mode: ISTIO_MUTUAL, minProtocolVersion: TLSV1_2, maxProtocolVersion: TLSV1_3, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]}")],
    ["namespaced, wildcard and IP hosts", "servers:\n- port: {number: 80, name: http, protocol: http}\n  hosts: ['prod/*.example.com', './foo.example.com', '*/bar.example.com', '*', 'ns/*', '10.0.0.1']"],
    ["a Unix socket bind with port 0", "servers:\n- port: {number: 0, name: uds, protocol: HTTP}\n  bind: unix:///var/run/gw.sock\n  hosts: ['foo.example.com']"],
    ["a server name, selector and IP bind", `selector: {istio: ingressgateway}\n${http("  name: main\n  bind: 0.0.0.0")}`],
  ])("accepts %s", (_name, spec) => {
    expect(gatewayErrors(spec)).toEqual([]);
  });

  it.each([
    ["a gateway without servers", "selector: {istio: ingressgateway}", Code.requiredField, "spec.servers", "gateway must have at least one server"],
    ["a port out of range", "servers:\n- port: {number: 66000, name: http, protocol: HTTP}\n  hosts: [foo.example.com]", Code.invalidPort, "spec.servers[0].port.number", "port number 66000 must be in the range 1..65535"],
    ["port 0 without a Unix socket", "servers:\n- port: {number: 0, name: http, protocol: HTTP}\n  hosts: [foo.example.com]", Code.invalidPort, "spec.servers[0].port.number", "port number 0 must be in the range 1..65535"],
    ["an unknown protocol", "servers:\n- port: {number: 80, name: http, protocol: SPDY}\n  hosts: [foo.example.com]", Code.unknownEnumValue, "spec.servers[0].port.protocol", 'invalid protocol "SPDY"'],
    ["a port without a name", "servers:\n- port: {number: 80, protocol: HTTP}\n  hosts: [foo.example.com]", Code.requiredField, "spec.servers[0].port.name", 'missing required field "name"'],
    ["a port with an empty name", "servers:\n- port: {number: 80, name: '', protocol: HTTP}\n  hosts: [foo.example.com]", Code.emptyValue, "spec.servers[0].port.name", "port name must be set"],
    ["a targetPort", "servers:\n- port: {number: 80, name: http, protocol: HTTP, targetPort: 8080}\n  hosts: [foo.example.com]", Code.invalidValue, "spec.servers[0].port.targetPort", "targetPort has no impact on Gateways"],
    ["two servers with one port name", `${http()}- port: {number: 81, name: http, protocol: HTTP}\n  hosts: [bar.example.com]`, Code.duplicateValue, "spec.servers[1].port.name", "port names in servers must be unique: duplicate name http"],
    ["a server without hosts", "servers:\n- port: {number: 80, name: http, protocol: HTTP}", Code.requiredField, "spec.servers[0].hosts", "server config must contain at least one host"],
    ["a wildcard inside a host", "servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: ['foo.*.bar.com']", Code.invalidHost, "spec.servers[0].hosts[0]", 'domain name "*.bar.com" invalid (label "*" invalid)'],
    ["a partial wildcard", "servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: ['*bar.com']", Code.invalidHost, "spec.servers[0].hosts[0]", 'partial wildcard "*bar.com" not allowed'],
    ["a short host name", "servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [foo]", Code.invalidHost, "spec.servers[0].hosts[0]", "short names (non FQDN) are not allowed"],
    ["a bad namespace in a host", "servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: ['b@d/foo.example.com']", Code.invalidHost, "spec.servers[0].hosts[0]", 'invalid namespace value "b@d" in gateway'],
    ["an all-numeric top level domain", "servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  hosts: ['foo.123']", Code.invalidHost, "spec.servers[0].hosts[0]", 'top level domain "123" cannot be all-numeric'],
    ["HTTPS without tls", "servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [foo.example.com]", Code.requiredField, "spec.servers[0]", "server must have TLS settings for HTTPS/TLS protocols"],
    ["TLS termination on an HTTP port", http("  tls: {mode: SIMPLE, credentialName: c}"), Code.invalidValue, "spec.servers[0].tls", "server cannot have TLS settings for plain text HTTP ports"],
    ["tls on a TCP port", "servers:\n- port: {number: 31400, name: tcp, protocol: TCP}\n  hosts: ['*']\n  tls: {mode: PASSTHROUGH}", Code.invalidValue, "spec.servers[0].tls", "server cannot have TLS settings for non HTTPS/TLS ports"],
    ["SIMPLE TLS without a certificate", https("{mode: SIMPLE, privateKey: /k.pem}"), Code.requiredField, "spec.servers[0].tls.serverCertificate", "SIMPLE TLS requires a server certificate"],
    ["SIMPLE TLS without a key", https("{mode: SIMPLE, serverCertificate: /c.pem}"), Code.requiredField, "spec.servers[0].tls.privateKey", "SIMPLE TLS requires a private key"],
    ["MUTUAL TLS without a CA", https("{mode: MUTUAL, serverCertificate: /c, privateKey: /k}"), Code.requiredField, "spec.servers[0].tls.caCertificates", "MUTUAL TLS requires a client CA bundle"],
    ["a tlsCertificates entry without a key", https("{mode: SIMPLE, tlsCertificates: [{serverCertificate: /a}]}"), Code.requiredField, "spec.servers[0].tls.tlsCertificates[0].privateKey", "SIMPLE TLS requires a private key"],
    ["two certificate sources", https("{mode: SIMPLE, credentialName: c, serverCertificate: /c, privateKey: /k}"), Code.mutuallyExclusive, "spec.servers[0].tls", "only one of credentialName, credentialNames"],
    ["ISTIO_MUTUAL with a credential", https("{mode: ISTIO_MUTUAL, credentialName: c}"), Code.mutuallyExclusive, "spec.servers[0].tls.credentialName", "ISTIO_MUTUAL TLS cannot have associated credentialName"],
    ["a CRL with SIMPLE TLS", https("{mode: SIMPLE, serverCertificate: /c, privateKey: /k, caCrl: /crl}"), Code.invalidValue, "spec.servers[0].tls.caCrl", "CRL is not supported with SIMPLE TLS"],
    ["an unknown TLS mode", https("{mode: SIMPEL}"), Code.unknownEnumValue, "spec.servers[0].tls.mode", 'did you mean "SIMPLE"'],
    ["a bind that is not an IP", http("  bind: localhost"), Code.invalidAddress, "spec.servers[0].bind", "localhost is not a valid IP"],
    ["a Unix socket bind with a port number", "servers:\n- port: {number: 80, name: uds, protocol: HTTP}\n  bind: unix:///var/run/gw.sock\n  hosts: ['foo.example.com']", Code.invalidPort, "spec.servers[0].port.number", "port number must be 0 for unix domain socket"],
    ["a relative Unix socket path", "servers:\n- port: {number: 0, name: uds, protocol: HTTP}\n  bind: unix://gw.sock\n  hosts: ['foo.example.com']", Code.invalidAddress, "spec.servers[0].bind", "gw.sock is not an absolute path to a file"],
    ["a misspelt field", "servers:\n- port: {number: 80, name: http, protocol: HTTP}\n  host: [foo.example.com]", Code.unknownField, "spec.servers[0].host", 'did you mean "hosts"'],
  ])("rejects %s", (_name, spec, code, path, message) => {
    const errors = gatewayErrors(spec);
    expect(errors.find((e) => e.code === code && e.path === path)?.message, JSON.stringify(errors)).toContain(message);
  });

  it("rejects a gateway name with dots, which virtual services could not refer to", () => {
    const errors = gatewayErrors(http(), "my.gateway");
    expect(errors).toMatchObject([{ code: Code.invalidName, path: "metadata.name", message: expect.stringContaining('invalid gateway name: "my.gateway"') }]);
  });
});
