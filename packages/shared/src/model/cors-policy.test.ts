import { describe, it } from "vitest";
import { Code } from "./codes.ts";
import { expectError, expectValid, httpSpec, type ErrorRow, type ValidRow } from "./virtual-service.testing.ts";

const C = "spec.http[0].corsPolicy";
const cors = (c: Record<string, unknown>) => httpSpec({ corsPolicy: c });

const rejected: ErrorRow[] = [
  {
    name: "rejects an unknown HTTP method and names the nearest",
    spec: cors({ allowMethods: ["GET", "PUTT"], allowHeaders: ["header1"], maxAge: "2s" }),
    code: Code.unknownEnumValue,
    path: `${C}.allowMethods[1]`,
    message: '"PUTT" is not a supported HTTP method (did you mean "PUT"?)',
  },
  { name: "rejects an empty origin match", spec: cors({ allowOrigins: [{ exact: "" }] }), code: Code.emptyValue, path: `${C}.allowOrigins[0]`, message: "'' is not a valid match type for CORS allow origins" },
  {
    name: "rejects an origin regex that is not RE2",
    spec: cors({ allowOrigins: [{ regex: "https://(?!evil).*" }] }),
    code: Code.invalidRegex,
    path: `${C}.allowOrigins[0].regex`,
    message: '"corsPolicy.allowOrigins": error parsing regexp',
  },
  { name: "rejects an empty allowed header name", spec: cors({ allowHeaders: [""] }), code: Code.invalidHeader, path: `${C}.allowHeaders[0]`, message: "header name cannot be empty" },
  { name: "rejects an exposed header name with a space", spec: cors({ exposeHeaders: ["x foo"] }), code: Code.invalidHeader, path: `${C}.exposeHeaders[0]`, message: "header name x foo is not a valid header name" },
  { name: "rejects a max age finer than a second", spec: cors({ maxAge: "1500ms" }), code: Code.invalidDuration, path: `${C}.maxAge`, message: "max_age duration is accurate only to seconds precision" },
  { name: "rejects an unknown unmatchedPreflights value", spec: cors({ unmatchedPreflights: "DROP" }), code: Code.unknownEnumValue, path: `${C}.unmatchedPreflights`, message: 'unsupported value "DROP"' },
];

const accepted: ValidRow[] = [
  {
    name: "accepts every CORS field",
    spec: cors({
      allowOrigin: ["https://legacy.example.com"],
      allowOrigins: [{ exact: "https://example.com" }, { prefix: "https://app." }, { regex: "https://.*\\.example\\.org" }],
      allowMethods: ["POST", "GET", "OPTIONS"],
      allowHeaders: ["X-Foo-Bar", "*"],
      exposeHeaders: ["X-Request-Id"],
      maxAge: "24h",
      allowCredentials: false,
      unmatchedPreflights: "IGNORE",
    }),
  },
  { name: "accepts * as the allowed methods", spec: cors({ allowMethods: ["*"] }) },
];

describe("CorsPolicy", () => {
  it.each(rejected)("$name", expectError);
  it.each(accepted)("$name", expectValid);
});
