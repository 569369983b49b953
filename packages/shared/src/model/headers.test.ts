import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { headerValueError } from "./headers.ts";
import { DEST, expectError, expectValid, httpSpec, type ErrorRow, type ValidRow } from "./virtual-service.testing.ts";

const H = "spec.http[0].headers";
const hdrs = (h: Record<string, unknown>) => httpSpec({ headers: h });

const rejected: ErrorRow[] = [
  { name: "rejects an empty header name to add", spec: hdrs({ request: { add: { "": "bar" } } }), code: Code.invalidHeader, path: `${H}.request.add[""]`, message: "header name cannot be empty" },
  { name: "rejects an empty header name to remove", spec: hdrs({ response: { remove: [""] } }), code: Code.invalidHeader, path: `${H}.response.remove[0]`, message: "header name cannot be empty" },
  {
    name: "rejects setting a pseudo-header other than the authority",
    spec: hdrs({ request: { set: { ":path": "/x" } } }),
    code: Code.invalidHeader,
    path: `${H}.request.set[":path"]`,
    message: 'invalid header ":path": header cannot have ":" prefix',
  },
  { name: "rejects removing the Host header", spec: hdrs({ request: { remove: ["Host"] } }), code: Code.invalidHeader, path: `${H}.request.remove[0]`, message: 'invalid header "Host": cannot set Host header' },
  { name: "rejects setting Host on a response", spec: hdrs({ response: { set: { host: "x" } } }), code: Code.invalidHeader, path: `${H}.response.set.host`, message: "cannot set Host header" },
  {
    name: "rejects an unterminated %VARIABLE% in a header value",
    spec: hdrs({ request: { set: { "x-host": "abc%123" } } }),
    code: Code.invalidHeader,
    path: `${H}.request.set["x-host"]`,
    message: "header value configuration: invalid header configuration. Un-terminated variable expression",
  },
  {
    name: "rejects a control character in a header value",
    spec: hdrs({ response: { add: { "x-a": "a\nb" } } }),
    code: Code.invalidHeader,
    path: `${H}.response.add["x-a"]`,
    message: "is invalid",
  },
  {
    name: "checks header operations on a weighted destination too",
    spec: httpSpec({ route: [{ ...DEST, headers: { request: { add: { "": "x" } } } }] }),
    code: Code.invalidHeader,
    path: 'spec.http[0].route[0].headers.request.add[""]',
    message: "header name cannot be empty",
  },
  { name: "rejects a header value that is not a string", spec: hdrs({ request: { set: { test: true } } }), code: Code.wrongType, path: `${H}.request.set.test`, message: "got boolean true" },
];

const accepted: ValidRow[] = [
  {
    name: "accepts set, add and remove on request and response",
    spec: hdrs({ request: { set: { test: "true", ":authority": "reviews.internal" }, add: { "x-a": "1" }, remove: ["x-b"] }, response: { set: { "x-c": "%HOSTNAME%" }, add: { "x-d": "100%%" }, remove: ["foo"] } }),
  },
];

describe("Headers", () => {
  it.each(rejected)("$name", expectError);
  it.each(accepted)("$name", expectValid);
});

describe("headerValueError", () => {
  it.each(["foo", "%HOSTNAME%", "100%%", "prefix %HOSTNAME% suffix", "%REQ(x-foo)%", '%UPSTREAM_METADATA(["a", "b"])%', "%START_TIME(%s)%", ""])(
    "accepts %j",
    (value) => {
      expect(headerValueError(value)).toBeUndefined();
    },
  );
  it.each(["abc%123", "%START_TIME%%", "%", '%UPSTREAM_METADATA(["a" x])%', "%REQ(x) y%"])("rejects %j", (value) => {
    expect(headerValueError(value)).toMatch(/^header value configuration: invalid header configuration/);
  });
});
