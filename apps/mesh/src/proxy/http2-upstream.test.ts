import { describe, expect, it } from "vitest";
import { http2RequestHeaders, upstreamHttpVersion } from "./http2-upstream.ts";

describe("upstreamHttpVersion", () => {
  it.each([
    ["http2", false, false, "http2"],
    ["grpc", false, false, "http2"],
    ["http", false, false, "http1"],
    ["http", true, false, "http1"],
    ["http", false, true, "http2"],
    [undefined, true, false, "http2"],
    [undefined, false, false, "http1"],
    [undefined, false, true, "http2"],
  ] as const)("protocol %s, downstream HTTP/2 %s, gRPC %s: %s", (protocol, http2, grpc, expected) => {
    expect(upstreamHttpVersion(protocol, { http2, grpc })).toBe(expected);
  });
});

describe("http2RequestHeaders", () => {
  it("keeps TE only as trailers, which gRPC servers require", () => {
    expect(http2RequestHeaders({ a: "1" }, { te: "trailers" })).toEqual({ a: "1", te: "trailers" });
    expect(http2RequestHeaders({ a: "1" }, { te: "gzip, trailers" })).toEqual({ a: "1", te: "trailers" });
    expect(http2RequestHeaders({ a: "1" }, { te: "gzip" })).toEqual({ a: "1" });
    expect(http2RequestHeaders({ a: "1" }, {})).toEqual({ a: "1" });
  });
});
