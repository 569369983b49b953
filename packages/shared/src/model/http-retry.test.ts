import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { isRetryOnPolicy } from "./http-retry.ts";
import { expectError, expectValid, httpSpec, type ErrorRow, type ValidRow } from "./virtual-service.testing.ts";

const R = "spec.http[0].retries";
const retries = (r: Record<string, unknown>) => httpSpec({ retries: r });

const rejected: ErrorRow[] = [
  { name: "rejects negative attempts", spec: retries({ attempts: -1, perTryTimeout: "2s" }), code: Code.outOfRange, path: `${R}.attempts`, message: "attempts cannot be negative" },
  {
    name: "rejects an unknown retryOn policy",
    spec: retries({ attempts: 10, perTryTimeout: "2s", retryOn: "5xx,invalid policy" }),
    code: Code.invalidRetryOn,
    path: `${R}.retryOn`,
    message: '"invalid policy" is not a valid retryOn policy',
  },
  {
    name: "rejects a number that is not an HTTP status in retryOn",
    spec: retries({ attempts: 10, retryOn: "600,connect-failure" }),
    code: Code.invalidRetryOn,
    path: `${R}.retryOn`,
    message: '"600" is not a valid retryOn policy',
  },
  {
    name: "rejects a space after a comma in retryOn and names the intended policy",
    spec: retries({ attempts: 3, retryOn: "5xx, gateway-error" }),
    code: Code.invalidRetryOn,
    path: `${R}.retryOn`,
    message: '" gateway-error" is not a valid retryOn policy (did you mean "gateway-error"?)',
  },
  {
    name: "rejects retry settings when attempts is 0",
    spec: retries({ attempts: 0, perTryTimeout: "2s", retryOn: "5xx,gateway-error" }),
    code: Code.invalidValue,
    path: `${R}.attempts`,
    message: "http retry policy configured when attempts are set to 0 (disabled)",
  },
  {
    name: "rejects retryRemoteLocalities when attempts is 0, even when false",
    spec: retries({ attempts: 0, retryRemoteLocalities: false }),
    code: Code.invalidValue,
    path: `${R}.attempts`,
    message: "http retry policy configured when attempts are set to 0 (disabled)",
  },
  {
    name: "rejects a per-try timeout finer than a millisecond",
    spec: retries({ attempts: 10, perTryTimeout: "2.000000001s" }),
    code: Code.invalidDuration,
    path: `${R}.perTryTimeout`,
    message: "only durations to ms precision are supported",
  },
  {
    name: "rejects a per-try timeout under 1ms",
    spec: retries({ attempts: 10, perTryTimeout: "0.000000999s" }),
    code: Code.invalidDuration,
    path: `${R}.perTryTimeout`,
    message: "duration must be greater than 1ms",
  },
  {
    name: "rejects a negative backoff",
    spec: retries({ attempts: 2, backoff: "-25ms" }),
    code: Code.invalidDuration,
    path: `${R}.backoff`,
    message: "duration must be greater than 1ms",
  },
];

const accepted: ValidRow[] = [
  {
    name: "accepts every retry field",
    spec: retries({ attempts: 3, perTryTimeout: "2s", retryOn: "gateway-error,connect-failure,503,cancelled", retryRemoteLocalities: true, retryIgnorePreviousHosts: false, backoff: "100ms" }),
  },
  { name: "accepts attempts 0 alone to disable retries", spec: retries({ attempts: 0 }) },
  { name: "accepts attempts 0 with backoff and retryIgnorePreviousHosts, which Istio does not check", spec: retries({ attempts: 0, backoff: "25ms", retryIgnorePreviousHosts: true }) },
];

describe("HTTPRetry", () => {
  it.each(rejected)("$name", expectError);
  it.each(accepted)("$name", expectValid);
});

describe("isRetryOnPolicy", () => {
  it.each([
    ["5xx", true],
    ["retriable-status-codes", true],
    ["resource-exhausted", true],
    ["503", true],
    ["418", true],
    ["306", false],
    ["600", false],
    ["0", false],
    ["5XX", false],
    ["", false],
  ] as const)("judges %j as %s", (policy, expected) => {
    expect(isRetryOnPolicy(policy)).toBe(expected);
  });
});
