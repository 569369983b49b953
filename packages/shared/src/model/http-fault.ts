import * as z from "zod";
import { Code } from "./codes.ts";
import { didYouMean, duration, int32, obj, percent, percentInRange, report } from "./common.ts";


/** Canonical gRPC status names (grpc/doc/statuscodes.md), as Istio's SupportedGRPCStatus. */
export const GRPC_STATUS_CODES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

const GRPC_STATUS_SET: ReadonlySet<string> = new Set(GRPC_STATUS_CODES);

/** Istio's validateHTTPStatus, shared by fault aborts and direct responses. */
export function httpStatusError(status: number): string | undefined {
  // Istio's own check lets 600 through while its message says 599; Envoy rejects 600.
  if (status < 200 || status > 599) return `HTTP status ${status} is not in range 200-599`;
  return undefined;
}

function setFields<T extends object>(value: T, fields: readonly (keyof T & string)[]): string[] {
  return fields.filter((f) => value[f] !== undefined);
}

/**
 * Istio's HTTPFaultInjection.Delay: one of fixedDelay or exponentialDelay (not yet
 * supported), applied to `percentage` of requests (all when absent).
 */
export const faultDelay = obj({
  percent: percentInRange("percent").pipe(int32).optional(),
  fixedDelay: duration.optional(),
  exponentialDelay: duration.optional(),
  percentage: percent.optional(),
}).superRefine((d, ctx) => {
  const kinds = setFields(d, ["fixedDelay", "exponentialDelay"]);
  if (kinds.length > 1) report(ctx, Code.mutuallyExclusive, "delay may set only one of fixedDelay and exponentialDelay", ["exponentialDelay"]);
  if (d.exponentialDelay !== undefined) report(ctx, Code.invalidValue, "exponentialDelay not supported yet", ["exponentialDelay"]);
  // Istio lets a delay without a duration through, but Envoy's FaultDelay requires one and NACKs the route.
  if (kinds.length === 0) report(ctx, Code.requiredField, "delay must specify fixedDelay", ["fixedDelay"]);
});

/**
 * Istio's HTTPFaultInjection.Abort: one of httpStatus, grpcStatus or http2Error (not yet
 * supported), applied to `percentage` of requests (all when absent).
 */
export const faultAbort = obj({
  httpStatus: int32.optional(),
  grpcStatus: z.string().optional(),
  http2Error: z.string().optional(),
  percentage: percent.optional(),
}).superRefine((a, ctx) => {
  const kinds = setFields(a, ["httpStatus", "grpcStatus", "http2Error"]);
  if (kinds.length > 1) {
    report(ctx, Code.mutuallyExclusive, `abort may set only one of httpStatus, grpcStatus and http2Error, found ${kinds.join(" and ")}`, [kinds[1]!]);
  }
  if (a.httpStatus !== undefined) {
    const err = httpStatusError(a.httpStatus);
    if (err) report(ctx, Code.invalidStatus, err, ["httpStatus"]);
  }
  if (a.grpcStatus !== undefined && !GRPC_STATUS_SET.has(a.grpcStatus)) {
    report(
      ctx,
      Code.invalidStatus,
      `gRPC status "${a.grpcStatus}" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'${didYouMean(a.grpcStatus, GRPC_STATUS_CODES)}`,
      ["grpcStatus"],
    );
  }
  if (a.http2Error !== undefined) report(ctx, Code.invalidValue, "HTTP/2 abort fault injection not supported yet", ["http2Error"]);
  // Istio only warns here, but Envoy's FaultAbort requires an error type and NACKs the route.
  if (kinds.length === 0) report(ctx, Code.requiredField, "abort configured, but error type not set: set httpStatus or grpcStatus", ["httpStatus"]);
});

/** Istio's HTTPFaultInjection: client-side faults, a delay and/or an abort. */
export const httpFaultInjection = obj({
  delay: faultDelay.optional(),
  abort: faultAbort.optional(),
}).superRefine((f, ctx) => {
  if (f.delay === undefined && f.abort === undefined) {
    report(ctx, Code.requiredField, "HTTP fault injection must have an abort and/or a delay");
  }
});

export type HTTPFaultInjection = z.infer<typeof httpFaultInjection>;
