import { describe, expect, it } from "vitest";
import { parseResponseHead } from "./tcp-tunnel.ts";

describe("parseResponseHead", () => {
  it("reads the status and lower-cased headers of a CONNECT answer", () => {
    expect(parseResponseHead("HTTP/1.1 200 OK\r\nX-Skein-Peer-Metadata: abc\r\nContent-Length: 0")).toEqual({ status: 200, headers: { "x-skein-peer-metadata": "abc", "content-length": "0" } });
  });

  it.each([
    ["HTTP/1.0 403 Forbidden", 403],
    ["HTTP/1.1 503 Service Unavailable", 503],
  ])("accepts %s", (line, status) => {
    expect(parseResponseHead(line)?.status).toBe(status);
  });

  it.each(["", "SSH-2.0-OpenSSH", "HTTP/2 200", "HTTP/1.1 20"])("rejects %j", (line) => {
    expect(parseResponseHead(line)).toBeUndefined();
  });
});
