import * as z from "zod";
import { Code } from "./codes.ts";
import { didYouMean, duration, obj, oneOf, parseDurationNanos, report } from "./common.ts";

import { matchKind, regexIssue, stringMatch } from "./string-match.ts";

/** Methods Go's net/http names, plus the CORS wildcard, as Istio's supportedCORSMethods. */
export const CORS_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"] as const;

const METHOD_SET: ReadonlySet<string> = new Set(CORS_METHODS);

// RFC 7230 tchar.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;

/** Istio's ValidateCORSHTTPHeaderName: a token, or `*` for "any header". */
function corsHeaderNameError(name: string): string | undefined {
  if (name === "") return "header name cannot be empty";
  if (name === "*") return undefined;
  if (!HEADER_NAME.test(name)) return `header name ${name} is not a valid header name`;
  return undefined;
}

/**
 * Istio's CorsPolicy. `allowOrigin` (plain strings) is the deprecated form of
 * `allowOrigins` (string matches).
 */
export const corsPolicy = obj({
  allowOrigin: z.array(z.string()).optional(),
  allowOrigins: z.array(stringMatch).optional(),
  allowMethods: z.array(z.string()).optional(),
  allowHeaders: z.array(z.string()).optional(),
  exposeHeaders: z.array(z.string()).optional(),
  maxAge: duration.optional(),
  allowCredentials: z.boolean().optional(),
  unmatchedPreflights: oneOf(["UNSPECIFIED", "FORWARD", "IGNORE"]).optional(),
}).superRefine((p, ctx) => {
  (p.allowOrigins ?? []).forEach((origin, i) => {
    const kind = matchKind(origin);
    const value = kind ? origin[kind]! : "";
    // An empty origin matcher would match nothing useful (or everything, for a prefix).
    if (value === "") {
      report(ctx, Code.emptyValue, `'${value}' is not a valid match type for CORS allow origins`, ["allowOrigins", i]);
    } else if (kind === "regex") {
      const err = regexIssue(value, "corsPolicy.allowOrigins");
      if (err) report(ctx, Code.invalidRegex, err, ["allowOrigins", i, "regex"]);
    }
  });
  (p.allowMethods ?? []).forEach((method, i) => {
    if (!METHOD_SET.has(method)) {
      report(ctx, Code.unknownEnumValue, `"${method}" is not a supported HTTP method${didYouMean(method, CORS_METHODS)}`, ["allowMethods", i]);
    }
  });
  for (const field of ["allowHeaders", "exposeHeaders"] as const) {
    (p[field] ?? []).forEach((name, i) => {
      const err = corsHeaderNameError(name);
      if (err) report(ctx, Code.invalidHeader, err, [field, i]);
    });
  }
  // Access-Control-Max-Age is in whole seconds.
  if (p.maxAge !== undefined) {
    const nanos = parseDurationNanos(p.maxAge);
    if (nanos !== undefined && nanos > 0 && nanos % 1e9 !== 0) {
      report(ctx, Code.invalidDuration, "max_age duration is accurate only to seconds precision", ["maxAge"]);
    }
  }
});

export type CorsPolicy = z.infer<typeof corsPolicy>;
