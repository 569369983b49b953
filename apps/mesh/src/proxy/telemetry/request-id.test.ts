import { describe, expect, it } from "vitest";
import { ensureRequestId, type HeaderMap } from "./request-id.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("ensureRequestId", () => {
  it("keeps the id a request arrives with", () => {
    const headers: HeaderMap = { "x-request-id": "abc-123" };
    expect(ensureRequestId(headers, () => "generated")).toBe("abc-123");
    expect(headers["x-request-id"]).toBe("abc-123");
  });

  it("generates a UUID v4 and sets the header when the request has none", () => {
    const headers: HeaderMap = {};
    const id = ensureRequestId(headers);
    expect(id).toMatch(UUID_V4);
    expect(headers["x-request-id"]).toBe(id);
  });

  it("replaces an empty header with a generated id", () => {
    const headers: HeaderMap = { "x-request-id": "" };
    expect(ensureRequestId(headers, () => "generated")).toBe("generated");
    expect(headers["x-request-id"]).toBe("generated");
  });

  it("collapses a repeated header to its first non-empty value", () => {
    const headers: HeaderMap = { "x-request-id": ["", "first", "second"] };
    expect(ensureRequestId(headers, () => "generated")).toBe("first");
    expect(headers["x-request-id"]).toBe("first");
  });

  it("gives every request without an id a different one", () => {
    expect(ensureRequestId({})).not.toBe(ensureRequestId({}));
  });
});
