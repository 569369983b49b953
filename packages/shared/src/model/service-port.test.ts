import { describe, expect, it } from "vitest";
import { isHttpProtocol, isTlsProtocol, parseProtocol, port, portNameError, servicePort } from "./service-port.ts";

describe("protocols", () => {
  it.each([
    ["http", "HTTP"],
    ["GRPC-WEB", "GRPC-Web"],
    ["mongo", "Mongo"],
    ["HTTP3", undefined],
    ["", undefined],
  ])("parses %j as %j, ignoring case like Istio", (name, want) => expect(parseProtocol(name)).toBe(want));

  it("routes HTTP-family protocols by Host and TLS-family by SNI", () => {
    expect(["HTTP", "http2", "GRPC", "grpc-web", "HTTP_PROXY"].every(isHttpProtocol)).toBe(true);
    expect(["HTTPS", "tls"].every(isTlsProtocol)).toBe(true);
    expect([undefined, "", "TCP", "mongo"].some((p) => isHttpProtocol(p) || isTlsProtocol(p))).toBe(false);
  });
});

describe("port names", () => {
  it.each([
    ["http", undefined],
    ["HTTP-Web", undefined],
    ["http_web", "invalid port name: http_web"],
    ["-http", "invalid port name: -http"],
    ["", "invalid port name: "],
  ])("judges %j as Istio's ValidatePortName does", (name, error) => expect(portNameError(name)).toBe(error));
});

describe("ServicePort and Port", () => {
  it("lets a ServicePort leave its protocol to sniffing", () => {
    expect(servicePort.safeParse({ number: 80, name: "http" }).success).toBe(true);
    expect(servicePort.safeParse({ number: 80, name: "http", protocol: "" }).success).toBe(true);
  });

  it("requires a Gateway Port to name a known protocol", () => {
    expect(port.safeParse({ number: 443, name: "https", protocol: "HTTPS" }).success).toBe(true);
    const missing = port.safeParse({ number: 443, name: "https" });
    expect(missing.success).toBe(false);
    const unknown = port.safeParse({ number: 443, name: "https", protocol: "QUIC" });
    expect(unknown.error?.issues[0]?.message).toContain('invalid protocol "QUIC"');
  });

  it("requires a Gateway Port name", () => {
    expect(port.safeParse({ number: 80, name: "", protocol: "HTTP" }).error?.issues[0]?.message).toBe("port name must be set");
  });
});
