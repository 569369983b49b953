import { describe, expect, it } from "vitest";
import { attributeError, ipErrors, pathTemplateError, portErrors, serviceAccountError } from "./authorization-values.ts";

describe("authorization value checks", () => {
  it.each([
    [["1.2.3.4", "10.0.0.0/8", "::1", "2001:db8::/32"], []],
    [["a.b.c.d"], ["bad IP address (a.b.c.d)"]],
    [["10.0.0.0/40"], ["bad CIDR range (10.0.0.0/40)"]],
  ])("ipErrors(%j) is %j", (values, errors) => {
    expect(ipErrors(values)).toEqual(errors);
  });

  it("accepts ports 0..65535 and rejects names and larger numbers", () => {
    expect(portErrors(["0", "80", "65535"])).toEqual([]);
    expect(portErrors(["http", "65536", "-1"])).toHaveLength(3);
  });

  it.each([
    [["sa", "ns/sa"], undefined],
    [["ns/*"], "wildcard not allowed, found in ServiceAccounts"],
    [["/sa"], "found empty namespace \"/sa\" in ServiceAccounts"],
    [["ns/"], "found empty serviceAccount \"ns/\" in ServiceAccounts"],
    [Array.from({ length: 17 }, (_, i) => `sa${i}`), "may not have more than 16 values"],
  ])("serviceAccountError(%j)", (values, error) => {
    const got = serviceAccountError("ServiceAccounts", values);
    if (error === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(error);
  });

  it.each([
    ["/exact", undefined],
    ["/prefix/*", undefined],
    ["/a/{*}/b/{**}", undefined],
    ["/{**}/a/{*}", "{**} is not the last operator"],
    ["/{name}/a", "Contains '{' or '}' beyond a supported path template"],
    ["/{*}/a b", "Contains segment a b with invalid string literal"],
  ])("pathTemplateError(%s)", (path, error) => {
    const got = pathTemplateError("Paths", [path]);
    if (error === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(error);
  });

  it.each([
    ["request.headers[x-user]", ["a"], undefined],
    ["request.experimental.inline.headers[x]", ["a"], undefined],
    ["source.namespace", ["ns"], undefined],
    ["connection.sni", ["*.example.com"], undefined],
    ["request.headers", ["a"], "bad key (request.headers): should have format a[b]"],
    ["destination.labels[app]", ["a"], "attribute destination.labels[app] is replaced by the workload selector"],
    ["destination.user", ["a"], "deprecated attribute destination.user: only supported in v1alpha1"],
    ["remote.ip", ["x"], "bad IP address (x)"],
    ["source.principal", [""], "empty value not allowed, found in source.principal"],
    ["key1", ["v"], "unknown attribute: key1"],
  ])("attributeError(%s, %j)", (key, values, error) => {
    expect(attributeError(key, values)).toBe(error);
  });
});
