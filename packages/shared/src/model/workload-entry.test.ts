import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { errorsOf, expectError, manifest } from "./manifest.fixture.ts";
import { unixAddressError } from "./workload-entry.ts";

/** Endpoints are checked inside a DNS ServiceEntry, which accepts IPs, hostnames and unix sockets alike. */
const endpoint = (ep: unknown) => manifest("ServiceEntry", { hosts: ["a.com"], ports: [{ number: 80, name: "http", protocol: "HTTP" }], resolution: "DNS", endpoints: [ep] });
const at = "spec.endpoints[0]";

describe("WorkloadEntry", () => {
  const rejected = [
    { case: "no address and no network", ep: { labels: { app: "x" } }, code: Code.requiredField, path: `${at}.address`, message: "address is required" },
    { case: "a relative unix socket path", ep: { address: "unix://var/run/app.sock" }, code: Code.invalidAddress, path: `${at}.address`, message: "is not an absolute path to a file" },
    { case: "a unix socket with ports", ep: { address: "unix:///var/run/app.sock", ports: { http: 8080 } }, code: Code.invalidPort, path: `${at}.ports`, message: "must not include ports" },
    { case: "a port map with an invalid name", ep: { address: "1.2.3.4", ports: { "http_x": 8080 } }, code: Code.invalidName, path: `${at}.ports.http_x`, message: "invalid port name: http_x" },
    { case: "a port map value out of range", ep: { address: "1.2.3.4", ports: { http: 0 } }, code: Code.invalidPort, path: `${at}.ports.http`, message: "port number 0 must be in the range 1..65535" },
    { case: "an invalid label value", ep: { address: "1.2.3.4", labels: { app: "a b" } }, code: Code.invalidSelector, path: `${at}.labels.app`, message: "invalid label value" },
    { case: "a negative weight", ep: { address: "1.2.3.4", weight: -1 }, code: Code.outOfRange, path: `${at}.weight`, message: "non-negative" },
    { case: "a misspelt field", ep: { adress: "1.2.3.4" }, code: Code.unknownField, path: `${at}.adress`, message: 'did you mean "address"' },
  ];
  it.each(rejected)("rejects $case", ({ ep, ...want }) => expectError(endpoint(ep), want));

  const accepted = [
    { case: "an IPv6 address", ep: { address: "2001:db8::1" } },
    { case: "a hostname with a service account", ep: { address: "vm1.example.com", serviceAccount: "details", weight: 10 } },
    { case: "a network instead of an address", ep: { network: "network-2", locality: "us-east/zone1" } },
    { case: "an abstract unix socket", ep: { address: "unix://@envoy-admin" } },
  ];
  it.each(accepted)("accepts $case", ({ ep }) => expect(errorsOf(endpoint(ep))).toEqual([]));

  it.each([
    ["unix:///var/run/a.sock", undefined],
    ["unix://@abstract", undefined],
    ["unix://", "unix address must not be empty"],
    ["unix:///var/run/", "/var/run/ is not an absolute path to a file"],
  ])("judges the unix address %s as Istio does", (address, error) => expect(unixAddressError(address)).toBe(error));
});
