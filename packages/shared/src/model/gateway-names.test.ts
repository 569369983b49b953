import { describe, expect, it } from "vitest";
import { gatewayNameErrors } from "./gateway-names.ts";

describe("gatewayNameErrors", () => {
  it.each(["mesh", "my-gateway", "istio-system/ingress", "gw.istio-system.svc.cluster.local"])("accepts %s", (ref) => {
    expect(gatewayNameErrors(ref)).toEqual([]);
  });
  it.each([
    ["b@dgateway", 'domain name "b@dgateway" invalid (label "b@dgateway" invalid)'],
    ["ns1/*", 'invalid value for gateway name: "*"'],
    ["*/gw", 'invalid value for namespace: "*"'],
    ["/gw", "config namespace and gateway name cannot be empty"],
    ["*", 'domain name "*" invalid (label "*" invalid)'],
  ])("rejects %s: %s", (ref, message) => {
    expect(gatewayNameErrors(ref)).toContain(message);
  });
});
