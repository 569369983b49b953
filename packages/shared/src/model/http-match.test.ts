import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { isJwtClaimRoute } from "./http-match.ts";
import { expectError, expectValid, matchSpec, type ErrorRow, type ValidRow } from "./virtual-service.testing.ts";

const M = "spec.http[0].match[0]";

const rejected: ErrorRow[] = [
  {
    name: "rejects a withoutHeaders regex that is not RE2, in Istio's words",
    spec: matchSpec({ withoutHeaders: { header: { regex: "?" } } }),
    code: Code.invalidRegex,
    path: `${M}.withoutHeaders.header.regex`,
    message: '"withoutHeaders": error parsing regexp: missing argument to repetition operator: `?`; Istio uses RE2 style regex-based match',
  },
  {
    name: "rejects a lookahead in a header regex (RE2 has none)",
    spec: matchSpec({ headers: { "x-user": { regex: "(?=admin)" } } }),
    code: Code.invalidRegex,
    path: `${M}.headers["x-user"].regex`,
    message: '"headers": error parsing regexp: invalid or unsupported Perl syntax',
  },
  {
    name: "rejects an empty URI regex",
    spec: matchSpec({ uri: { regex: "" } }),
    code: Code.emptyValue,
    path: `${M}.uri.regex`,
    message: '"uri": regex string match should not be empty',
  },
  {
    name: "rejects an empty header prefix",
    spec: matchSpec({ headers: { emptyprefix: { prefix: "" } } }),
    code: Code.emptyValue,
    path: `${M}.headers.emptyprefix.prefix`,
    message: '"headers": prefix string match should not be empty',
  },
  {
    name: "rejects an empty method prefix",
    spec: matchSpec({ method: { prefix: "" } }),
    code: Code.emptyValue,
    path: `${M}.method.prefix`,
    message: '"method": prefix string match should not be empty',
  },
  {
    name: "rejects an empty query parameter regex",
    spec: matchSpec({ queryParams: { id: { regex: "" } } }),
    code: Code.emptyValue,
    path: `${M}.queryParams.id.regex`,
    message: '"queryParams": regex string match should not be empty',
  },
  {
    name: "rejects a regex longer than Envoy's program size allows",
    spec: matchSpec({ authority: { regex: "a".repeat(1025) } }),
    code: Code.invalidRegex,
    path: `${M}.authority.regex`,
    message: '"authority": regex is too large, max length allowed is 1024',
  },
  {
    name: "rejects a string match with two kinds",
    spec: matchSpec({ uri: { exact: "/a", prefix: "/b" } }),
    code: Code.mutuallyExclusive,
    path: `${M}.uri.prefix`,
    message: "only one of exact, prefix or regex may be set",
  },
  {
    name: "rejects an empty header name",
    spec: matchSpec({ headers: { "": { exact: "x" } } }),
    code: Code.invalidHeader,
    path: `${M}.headers[""]`,
    message: "header name cannot be empty",
  },
  {
    name: "rejects a header name with a space",
    spec: matchSpec({ headers: { "x user": { exact: "x" } } }),
    code: Code.invalidHeader,
    path: `${M}.headers["x user"]`,
    message: "header name x user is not a valid header name",
  },
  {
    name: "rejects a match port out of range",
    spec: matchSpec({ port: 70000 }),
    code: Code.invalidPort,
    path: `${M}.port`,
    message: "port number 70000 must be in the range 1..65535",
  },
  {
    name: "rejects a source namespace that is not a DNS label",
    spec: matchSpec({ sourceNamespace: "Bad_NS" }),
    code: Code.invalidName,
    path: `${M}.sourceNamespace`,
    message: "sourceNamespace match Bad_NS is invalid",
  },
  {
    name: "rejects an invalid gateway in a match",
    spec: matchSpec({ gateways: ["ns/Bad_GW"] }),
    code: Code.invalidName,
    path: `${M}.gateways[0]`,
    message: 'invalid value for gateway name: "Bad_GW"',
  },
  {
    name: "rejects an invalid source label",
    spec: matchSpec({ sourceLabels: { app: "bad value" } }),
    code: Code.invalidSelector,
    path: `${M}.sourceLabels.app`,
    message: 'invalid label value "bad value"',
  },
  {
    name: "rejects a misspelt match field with a hint",
    spec: matchSpec({ ignoreUriCas: true }),
    code: Code.unknownField,
    path: `${M}.ignoreUriCas`,
    message: 'did you mean "ignoreUriCase"?',
  },
];

const accepted: ValidRow[] = [
  {
    name: "accepts every match field",
    spec: matchSpec({
      name: "v2",
      uri: { prefix: "/ratings/v2/" },
      scheme: { exact: "https" },
      method: { exact: "GET" },
      authority: { regex: "ratings\\..*" },
      headers: { "end-user": { exact: "jason" }, "x-present": {} },
      port: 9080,
      sourceLabels: { app: "reviews", version: "v2" },
      gateways: ["mesh"],
      queryParams: { debug: { exact: "" }, id: { regex: "\\d+$" } },
      ignoreUriCase: true,
      withoutHeaders: { "x-canary": { exact: "true" } },
      sourceNamespace: "default",
      statPrefix: "ratings_v2",
    }),
  },
  { name: "accepts an empty URI prefix, which matches every path", spec: matchSpec({ uri: { prefix: "" } }) },
  { name: "accepts withoutHeaders regex * as a presence match", spec: matchSpec({ withoutHeaders: { "x-debug": { regex: "*" } } }) },
  { name: "accepts pseudo-header names in a header match", spec: matchSpec({ headers: { ":path": { prefix: "/api" } } }) },
  { name: "accepts port 0 as any port", spec: matchSpec({ port: 0 }) },
];

describe("HTTPMatchRequest", () => {
  it.each(rejected)("$name", expectError);
  it.each(accepted)("$name", expectValid);
});

describe("isJwtClaimRoute", () => {
  it.each([
    ["@request.auth.claims.foo", true],
    ["@request.auth.claims.foo.bar", true],
    ["@request.auth.claims[foo][bar]", true],
    ["@Request.Auth.Claims.foo", true],
    ["@request.auth.claims.", false],
    ["@request.auth.claims[]", false],
    ["@request.auth.claimsfoo", false],
    ["x-user", false],
  ] as const)("treats %s as a claim route: %s", (name, expected) => {
    expect(isJwtClaimRoute(name)).toBe(expected);
  });
});
