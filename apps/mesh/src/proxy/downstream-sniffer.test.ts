import { describe, expect, it } from "vitest";
import { classifyPreface, HTTP2_PREFACE } from "./downstream-sniffer.ts";

describe("classifyPreface", () => {
  it.each([
    ["an HTTP/1.1 request line", "GET / HTTP/1.1\r\n", "http1"],
    ["CONNECT", "CONNECT db:5432 HTTP/1.1\r\n", "http1"],
    ["a single P", "P", "more"],
    ["POST, which shares the first letter", "POST / HTTP/1.1\r\n", "http1"],
    ["a method named PRI that is not the preface", "PRI /x HTTP/1.1\r\n", "http1"],
    ["most of the preface", "PRI * HTTP/2.0\r\n\r\nSM", "more"],
    ["the whole preface", HTTP2_PREFACE.toString("latin1"), "http2"],
    ["the preface and a SETTINGS frame", `${HTTP2_PREFACE.toString("latin1")}\x00\x00\x00\x04`, "http2"],
  ])("decides %s: %s", (_name, bytes, expected) => {
    expect(classifyPreface(Buffer.from(bytes, "latin1"))).toBe(expected);
  });
});
