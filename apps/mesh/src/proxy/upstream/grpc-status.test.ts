// gRPC codes: https://grpc.github.io/grpc/core/md_doc_statuscodes.html; mapping as Envoy's Grpc::Utility::grpcToHttpStatus.
import { describe, expect, it } from "vitest";
import { GrpcStatus, grpcToHttpStatus, parseGrpcStatus } from "./grpc-status.ts";

describe("grpcToHttpStatus", () => {
  it.each([
    { code: GrpcStatus.OK, http: 200 },
    { code: GrpcStatus.CANCELLED, http: 499 },
    { code: GrpcStatus.INVALID_ARGUMENT, http: 400 },
    { code: GrpcStatus.DEADLINE_EXCEEDED, http: 504 },
    { code: GrpcStatus.NOT_FOUND, http: 404 },
    { code: GrpcStatus.RESOURCE_EXHAUSTED, http: 429 },
    { code: GrpcStatus.UNIMPLEMENTED, http: 501 },
    { code: GrpcStatus.INTERNAL, http: 500 },
    { code: GrpcStatus.UNAVAILABLE, http: 503 },
    { code: GrpcStatus.UNAUTHENTICATED, http: 401 },
    { code: 99, http: 500 },
  ])("maps grpc-status $code to HTTP $http", ({ code, http }) => {
    expect(grpcToHttpStatus(code)).toBe(http);
  });
});

describe("parseGrpcStatus", () => {
  it.each([
    { value: "14", expected: 14 },
    { value: "0", expected: 0 },
    { value: undefined, expected: undefined },
    { value: "", expected: undefined },
    { value: "unavailable", expected: undefined },
    { value: "-1", expected: undefined },
  ])("reads grpc-status $value as $expected", ({ value, expected }) => {
    expect(parseGrpcStatus(value)).toBe(expected);
  });
});
