import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { requestedUpgrade } from "./websocket.ts";

const req = (method: string, headers: Record<string, string>) => ({ method, headers }) as unknown as IncomingMessage;

describe("requestedUpgrade", () => {
  it.each([
    ["a WebSocket handshake", "GET", { upgrade: "websocket", connection: "Upgrade" }, "websocket"],
    ["Connection listing several tokens", "GET", { upgrade: "websocket", connection: "keep-alive, Upgrade" }, "websocket"],
    ["Upgrade without Connection: upgrade (RFC 9110 §7.8)", "GET", { upgrade: "websocket", connection: "keep-alive" }, undefined],
    ["no Upgrade header", "GET", { connection: "Upgrade" }, undefined],
    ["CONNECT, which belongs to the TCP proxy", "CONNECT", { upgrade: "websocket", connection: "Upgrade" }, undefined],
  ])("%s", (_name, method, headers, expected) => {
    expect(requestedUpgrade(req(method, headers))).toBe(expected);
  });
});
