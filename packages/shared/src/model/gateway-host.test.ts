import { describe, expect, it } from "vitest";
import { gatewayHostErrors } from "./gateway-host.ts";

describe("gatewayHostErrors", () => {
  it.each(["foo.example.com", "*.example.com", "*", "prod/*.example.com", "./foo.example.com", "*/foo.example.com", "ns/*", "10.1.2.3", "Foo.Example.COM", "foo.example.com."])(
    "accepts %s",
    (host) => {
      expect(gatewayHostErrors(host)).toEqual([]);
    },
  );

  it.each([
    ["foo", ["short names (non FQDN) are not allowed"]],
    ["*bar.com", ['partial wildcard "*bar.com" not allowed']],
    ["foo.*.bar.com", ['domain name "*.bar.com" invalid (label "*" invalid)', 'partial wildcard "foo.*.bar.com" not allowed']],
    ["foo.123", ['domain name "123" invalid (top level domain "123" cannot be all-numeric)']],
    ["foo..com", ['domain name ".com" invalid (label "" invalid)']],
    ["/foo.example.com", ["config namespace and dnsName in host entry cannot be empty", 'invalid namespace value "" in gateway']],
    ["ns_1/foo.example.com", ['invalid namespace value "ns_1" in gateway']],
    [`${"a".repeat(64)}.com`, [`domain name "${"a".repeat(64)}.com" invalid (label "${"a".repeat(64)}" invalid)`]],
  ])("reports Istio's errors for %s", (host, errors) => {
    expect(gatewayHostErrors(host)).toEqual(errors);
  });
});
