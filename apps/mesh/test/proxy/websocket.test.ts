import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { closeLater, serviceEntry, startCa, startSidecar, usingMesh, workload } from "./harness.ts";

usingMesh();

// ---- a tiny RFC 6455 codec: text, close and ping frames, payloads under 64 KiB ----------------

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;

interface Frame {
  opcode: number;
  payload: Buffer;
}

function encodeFrame(opcode: number, payload: Buffer, masked: boolean): Buffer {
  const len = payload.length;
  const head = Buffer.alloc(2 + (len >= 126 ? 2 : 0) + (masked ? 4 : 0));
  head[0] = 0x80 | opcode;
  head[1] = (masked ? 0x80 : 0) | (len >= 126 ? 126 : len);
  if (len >= 126) head.writeUInt16BE(len, 2);
  if (!masked) return Buffer.concat([head, payload]);
  const mask = randomBytes(4);
  mask.copy(head, head.length - 4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([head, body]);
}

/** Frames complete in `buf`, and the bytes left over. */
function decodeFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const opcode = buf[at]! & 0x0f;
    const masked = (buf[at + 1]! & 0x80) !== 0;
    let len = buf[at + 1]! & 0x7f;
    let off = at + 2;
    if (len === 126) {
      if (buf.length < off + 2) break;
      len = buf.readUInt16BE(off);
      off += 2;
    }
    const maskAt = off;
    if (masked) off += 4;
    if (buf.length < off + len) break;
    const payload = Buffer.from(buf.subarray(off, off + len));
    if (masked) for (let i = 0; i < len; i++) payload[i]! ^= buf[maskAt + (i % 4)]!;
    frames.push({ opcode, payload });
    at = off + len;
  }
  return { frames, rest: buf.subarray(at) };
}

/** Reads frames from a connection as they arrive. */
function frameReader(socket: Duplex, initial: Buffer = Buffer.alloc(0)) {
  let pending: Buffer = initial;
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  const take = () => {
    const { frames: got, rest } = decodeFrames(pending);
    pending = rest;
    frames.push(...got);
    for (const w of waiters.splice(0)) w();
  };
  socket.on("data", (c: Buffer) => {
    pending = Buffer.concat([pending, c]);
    take();
  });
  take();
  return {
    async next(): Promise<Frame> {
      while (frames.length === 0) await new Promise<void>((r) => waiters.push(r));
      return frames.shift()!;
    },
  };
}

/** A WebSocket echo app: text frames come back as "echo: <text>", a close is answered and ends the connection. */
async function startEchoApp(opts: { refuse?: number } = {}) {
  const upgrades: IncomingMessage["headers"][] = [];
  const server = createServer((_req, res) => res.writeHead(426).end());
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    upgrades.push(req.headers);
    if (opts.refuse) {
      socket.end(`HTTP/1.1 ${opts.refuse} Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 7\r\nconnection: close\r\n\r\nno chat`);
      return;
    }
    const accept = createHash("sha1").update(`${req.headers["sec-websocket-key"]}${GUID}`).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
    let pending: Buffer = Buffer.alloc(0);
    socket.on("data", (c: Buffer) => {
      const { frames, rest } = decodeFrames(Buffer.concat([pending, c]));
      pending = rest;
      for (const f of frames) {
        if (f.opcode === OP_TEXT) socket.write(encodeFrame(OP_TEXT, Buffer.from(`echo: ${f.payload.toString()}`), false));
        if (f.opcode === OP_CLOSE) socket.end(encodeFrame(OP_CLOSE, f.payload, false));
      }
    });
    socket.on("error", () => undefined);
    // http.Server sockets are half-open; a WebSocket peer that goes away ends the connection.
    socket.once("end", () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  closeLater(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, upgrades };
}

interface Handshake {
  socket: Socket;
  status: number;
  head: string;
  /** Bytes after the response head. */
  rest: Buffer;
}

/** Sends the opening handshake to a sidecar's outbound port and reads the response head. */
async function openWebSocket(port: number, host: string, path = "/chat"): Promise<Handshake> {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  closeLater(() => socket.destroy());
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const key = randomBytes(16).toString("base64");
  socket.write(`GET ${path} HTTP/1.1\r\nhost: ${host}\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: ${key}\r\nsec-websocket-version: 13\r\n\r\n`);
  let seen: Buffer = Buffer.alloc(0);
  for (;;) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      socket.once("data", resolve);
      socket.once("end", () => resolve(null));
    });
    if (chunk === null) break;
    seen = Buffer.concat([seen, chunk]);
    if (seen.includes("\r\n\r\n")) break;
  }
  socket.pause();
  const end = seen.indexOf("\r\n\r\n");
  const head = seen.subarray(0, end).toString("latin1");
  return { socket, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, rest: seen.subarray(end + 4) };
}

async function chatMesh(yamlForServer = "") {
  const app = await startEchoApp();
  const ca = await startCa();
  const server = await startSidecar({
    yaml: serviceEntry("chat", 8080, [{ port: 1 }]) + yamlForServer,
    workload: workload("chat-v1", { app: "chat", version: "v1" }, "default", "chat"),
    certs: await ca.issue("default", "chat"),
    appPort: app.port,
  });
  const client = await startSidecar({
    yaml: serviceEntry("chat", 8080, [{ port: server.ports.inbound!, serviceAccount: "chat", labels: { app: "chat", version: "v1" } }]),
    workload: workload("web-v1", { app: "web", version: "v1" }, "default", "web"),
    certs: await ca.issue("default", "web"),
  });
  return { app, server, client };
}

describe("WebSocket upgrade", () => {
  it("upgrades through both sidecars over mTLS and echoes frames both ways until the close handshake", async () => {
    const { app, server, client } = await chatMesh();
    const ws = await openWebSocket(client.ports.outbound, "chat:8080");
    expect(ws.status).toBe(101);
    expect(ws.head.toLowerCase()).toContain("upgrade: websocket");
    expect(ws.head).toMatch(/sec-websocket-accept: \S+/i);
    const frames = frameReader(ws.socket, ws.rest);
    ws.socket.resume();
    for (const text of ["one", "two", "three"]) {
      ws.socket.write(encodeFrame(OP_TEXT, Buffer.from(text), true));
      const f = await frames.next();
      expect(f.opcode).toBe(OP_TEXT);
      expect(f.payload.toString()).toBe(`echo: ${text}`);
    }
    // A larger frame (16-bit length) crosses intact.
    const big = "x".repeat(40_000);
    ws.socket.write(encodeFrame(OP_TEXT, Buffer.from(big), true));
    expect((await frames.next()).payload.toString()).toBe(`echo: ${big}`);
    ws.socket.write(encodeFrame(OP_CLOSE, Buffer.from([0x03, 0xe8]), true));
    expect((await frames.next()).opcode).toBe(OP_CLOSE);
    await new Promise<void>((resolve) => (ws.socket.destroyed ? resolve() : ws.socket.once("close", () => resolve())));
    // The app saw the handshake with the caller's identity, not the client's own upgrade headers only.
    expect(String(app.upgrades[0]!["x-forwarded-client-cert"])).toContain("URI=spiffe://cluster.local/ns/default/sa/web");
    expect(app.upgrades[0]!["sec-websocket-key"]).toBeDefined();
    // Logged once per side when the upgraded connection ended, as a 101 with the bytes it carried.
    const waitForLog = async (lines: Record<string, unknown>[]) => {
      for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((d) => setTimeout(d, 20));
      return lines[0]!;
    };
    const clientLine = await waitForLog(client.accessLog);
    const serverLine = await waitForLog(server.accessLog);
    expect(clientLine.response_code).toBe(101);
    expect(serverLine.response_code).toBe(101);
    expect(Number(clientLine.bytes_sent)).toBeGreaterThan(40_000);
    expect(Number(clientLine.bytes_received)).toBeGreaterThan(40_000);
  });

  it("relays an upgrade the app refuses as a plain response", async () => {
    const app = await startEchoApp({ refuse: 403 });
    const client = await startSidecar({ yaml: serviceEntry("chat", 8080, [{ port: app.port }]) });
    const ws = await openWebSocket(client.ports.outbound, "chat:8080");
    expect(ws.status).toBe(403);
    expect(ws.rest.toString()).toBe("no chat");
  });

  it("authorizes the upgrade as an HTTP request on the server sidecar (a DENY on its path answers 403)", async () => {
    const { app, client } = await chatMesh(`---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: no-chat}
spec:
  action: DENY
  rules: [{to: [{operation: {paths: ["/chat"]}}]}]
`);
    const denied = await openWebSocket(client.ports.outbound, "chat:8080", "/chat");
    expect(denied.status).toBe(403);
    expect(denied.rest.toString()).toBe("RBAC: access denied");
    const allowed = await openWebSocket(client.ports.outbound, "chat:8080", "/other");
    expect(allowed.status).toBe(101);
    expect(app.upgrades).toHaveLength(1);
  });

  it("routes the upgrade like any request: an unknown host is answered 404 NR", async () => {
    const client = await startSidecar({ yaml: serviceEntry("chat", 8080, [{ port: 1 }]) });
    const ws = await openWebSocket(client.ports.outbound, "nowhere:80");
    expect(ws.status).toBe(404);
    expect(client.accessLog[0]!.response_flags).toBe("NR");
  });
});
