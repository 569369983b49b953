import { describe, expect, it } from "vitest";
import { createEndpointState, hostKeyOf, reconcileEndpointStates } from "./endpoint-state.ts";
import { endpoint } from "./test-support.ts";

describe("hostKeyOf", () => {
  it.each([
    { address: "10.0.0.1", port: 8080, expected: "10.0.0.1:8080" },
    { address: "fd00::1", port: 80, expected: "[fd00::1]:80" },
    { address: "[fd00::1]", port: 80, expected: "[fd00::1]:80" },
  ])("keys $address port $port as $expected, like Envoy's address string", ({ address, port, expected }) => {
    expect(hostKeyOf({ address, port })).toBe(expected);
  });
});

describe("reconcileEndpointStates", () => {
  it("keeps the state of hosts that stay, so ejections and in-flight counts survive a push", () => {
    const [a, b] = [createEndpointState(endpoint("10.0.0.1")), createEndpointState(endpoint("10.0.0.2"))];
    a.ejected = true;
    a.activeRequests = 3;
    a.outlier.ejectTimeBackoff = 2;
    const next = reconcileEndpointStates([a, b], [endpoint("10.0.0.1"), endpoint("10.0.0.3")]);
    expect(next[0]).toBe(a);
    expect(next[0]).toMatchObject({ ejected: true, activeRequests: 3, outlier: { ejectTimeBackoff: 2 } });
    expect(next[1]).not.toBe(b);
    expect(next[1]).toMatchObject({ hostKey: "10.0.0.3:8080", ejected: false, activeRequests: 0 });
  });

  it("puts a changed weight into the same state object", () => {
    const a = createEndpointState(endpoint("10.0.0.1", 8080, 1));
    const changed = endpoint("10.0.0.1", 8080, 5);
    const [next] = reconcileEndpointStates([a], [changed]);
    expect(next).toBe(a);
    expect(next!.endpoint).toBe(changed);
  });

  it("treats another port as another host", () => {
    const a = createEndpointState(endpoint("10.0.0.1", 8080));
    expect(reconcileEndpointStates([a], [endpoint("10.0.0.1", 9090)])[0]).not.toBe(a);
  });
});
