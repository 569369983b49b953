/**
 * gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html) and the
 * HTTP status Envoy maps each to (Grpc::Utility::grpcToHttpStatus), which is what its
 * outlier detector is charged with when a gRPC response carries grpc-status in its
 * headers (router.cc onUpstreamHeaders).
 */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const TO_HTTP: Record<number, number> = {
  0: 200,
  1: 499,
  2: 500,
  3: 400,
  4: 504,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  10: 409,
  11: 400,
  12: 501,
  13: 500,
  14: 503,
  15: 500,
  16: 401,
};

/** Envoy's grpcToHttpStatus; codes outside the table map to 500. */
export function grpcToHttpStatus(grpcStatus: number): number {
  return TO_HTTP[grpcStatus] ?? 500;
}

/** grpc-status header value → code, or undefined when absent or not a number. */
export function parseGrpcStatus(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
