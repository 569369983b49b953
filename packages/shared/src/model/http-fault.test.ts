import { describe, it } from "vitest";
import { Code } from "./codes.ts";
import { expectError, expectValid, httpSpec, type ErrorRow, type ValidRow } from "./virtual-service.testing.ts";

const F = "spec.http[0].fault";
const fault = (f: Record<string, unknown>) => httpSpec({ fault: f });

const rejected: ErrorRow[] = [
  { name: "requires a delay or an abort", spec: fault({}), code: Code.requiredField, path: F, message: "HTTP fault injection must have an abort and/or a delay" },
  {
    name: "rejects an abort status outside 200-599",
    spec: fault({ abort: { percentage: { value: 20 }, httpStatus: 9000 } }),
    code: Code.invalidStatus,
    path: `${F}.abort.httpStatus`,
    message: "HTTP status 9000 is not in range 200-599",
  },
  {
    name: "rejects a negative abort percentage",
    spec: fault({ abort: { percentage: { value: -10 }, httpStatus: 200 } }),
    code: Code.invalidPercentage,
    path: `${F}.abort.percentage.value`,
    message: "percentage -10 is neither 0.0, nor in range [0.0001, 100.0]",
  },
  {
    name: "rejects an unknown gRPC status and names the nearest",
    spec: fault({ abort: { grpcStatus: "UNAVAILABLE_" } }),
    code: Code.invalidStatus,
    path: `${F}.abort.grpcStatus`,
    message: '(did you mean "UNAVAILABLE"?)',
  },
  {
    name: "rejects an unknown gRPC status in Istio's words",
    spec: fault({ abort: { grpcStatus: "BAD_STATUS" } }),
    code: Code.invalidStatus,
    path: `${F}.abort.grpcStatus`,
    message: 'gRPC status "BAD_STATUS" is not supported',
  },
  {
    name: "rejects an HTTP/2 error abort, which Istio does not support yet",
    spec: fault({ abort: { http2Error: "REFUSED_STREAM" } }),
    code: Code.invalidValue,
    path: `${F}.abort.http2Error`,
    message: "HTTP/2 abort fault injection not supported yet",
  },
  {
    name: "rejects two abort error types",
    spec: fault({ abort: { httpStatus: 500, grpcStatus: "INTERNAL" } }),
    code: Code.mutuallyExclusive,
    path: `${F}.abort.grpcStatus`,
    message: "found httpStatus and grpcStatus",
  },
  {
    name: "rejects an abort without an error type, which Envoy would refuse",
    spec: fault({ abort: { percentage: { value: 5 } } }),
    code: Code.requiredField,
    path: `${F}.abort.httpStatus`,
    message: "abort configured, but error type not set",
  },
  {
    name: "rejects a delay percentage over 100",
    spec: fault({ delay: { percentage: { value: 101 }, fixedDelay: "3s" } }),
    code: Code.invalidPercentage,
    path: `${F}.delay.percentage.value`,
    message: "percentage 101 is neither 0.0, nor in range [0.0001, 100.0]",
  },
  {
    name: "rejects a fixed delay finer than a millisecond",
    spec: fault({ delay: { percentage: { value: 20 }, fixedDelay: "3.000000042s" } }),
    code: Code.invalidDuration,
    path: `${F}.delay.fixedDelay`,
    message: "only durations to ms precision are supported",
  },
  {
    name: "rejects an exponential delay, which Istio does not support yet",
    spec: fault({ delay: { exponentialDelay: "1s" } }),
    code: Code.invalidValue,
    path: `${F}.delay.exponentialDelay`,
    message: "exponentialDelay not supported yet",
  },
  {
    name: "rejects a delay without a duration, which Envoy would refuse",
    spec: fault({ delay: { percentage: { value: 10 } } }),
    code: Code.requiredField,
    path: `${F}.delay.fixedDelay`,
    message: "delay must specify fixedDelay",
  },
  {
    name: "rejects the deprecated integer percent over 100",
    spec: fault({ delay: { percent: 150, fixedDelay: "1s" } }),
    code: Code.invalidPercentage,
    path: `${F}.delay.percent`,
    message: "percent 150 is not in range 0..100",
  },
];

const accepted: ValidRow[] = [
  { name: "accepts a delay and an abort together", spec: fault({ delay: { percentage: { value: 0.1 }, fixedDelay: "5s" }, abort: { percentage: { value: 100 }, httpStatus: 500 } }) },
  { name: "accepts a gRPC abort", spec: fault({ abort: { grpcStatus: "UNAVAILABLE" } }) },
  { name: "accepts a zero percentage", spec: fault({ abort: { percentage: { value: 0 }, httpStatus: 503 } }) },
  { name: "accepts the deprecated integer percent", spec: fault({ delay: { percent: 10, fixedDelay: "7s" } }) },
];

describe("HTTPFaultInjection", () => {
  it.each(rejected)("$name", expectError);
  it.each(accepted)("$name", expectValid);
});
