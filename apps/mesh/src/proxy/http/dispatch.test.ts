import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { dispatchRequest } from "./dispatch.ts";
import type { HeaderMap } from "./exchange.ts";
import { readUpstreamBody, UpstreamBody, type BodySink } from "./upstream-body.ts";

let server: Server | undefined;
let pool: Pool | undefined;

afterEach(async () => {
  await pool?.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = pool = undefined;
});

async function upstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Pool> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", () => resolve()));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { headersTimeout: 0, bodyTimeout: 0 });
  return pool;
}

const GET = { method: "GET", path: "/", headers: { host: "svc" }, body: null };
const passThrough = { classify: (e: Error) => e };

function bodyOf(res: { body: unknown }): UpstreamBody {
  expect(res.body).toBeInstanceOf(UpstreamBody);
  return res.body as UpstreamBody;
}

describe("dispatchRequest", () => {
  it("resolves with the status and lower-case headers, repeated ones as arrays and hop-by-hop ones dropped", async () => {
    const p = await upstream((_req, res) => {
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.setHeader("X-Upstream", "yes");
      res.setHeader("Keep-Alive", "timeout=5");
      res.end("hello");
    });
    let headersAt = 0;
    const res = await dispatchRequest(p, GET, undefined, { ...passThrough, onHeaders: () => (headersAt = 1) });
    expect(res.status).toBe(200);
    expect(res.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(res.headers["x-upstream"]).toBe("yes");
    expect(res.headers["keep-alive"]).toBeUndefined();
    expect(res.headers.connection).toBeUndefined();
    expect(headersAt).toBe(1);
    expect((await readUpstreamBody(bodyOf(res), 1024)).toString()).toBe("hello");
  });

  it("sends the request body and delivers chunked trailers when the body ends", async () => {
    const p = await upstream((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(200, { trailer: "grpc-status" });
        res.write(Buffer.concat(chunks));
        res.addTrailers({ "grpc-status": "0" });
        res.end();
      });
    });
    const res = await dispatchRequest(p, { method: "POST", path: "/echo", headers: { host: "svc" }, body: Buffer.from("ping") }, undefined, passThrough);
    const body = bodyOf(res);
    const got: { chunks: string[]; trailers?: HeaderMap | undefined } = { chunks: [] };
    await new Promise<void>((resolve) => {
      body.pipeTo({
        write: (c) => got.chunks.push(c.toString()) > 0,
        end: (t) => {
          got.trailers = t;
          resolve();
        },
        fail: () => resolve(),
      });
    });
    expect(got.chunks.join("")).toBe("ping");
    expect(got.trailers).toEqual({ "grpc-status": "0" });
    expect(res.trailers?.()).toEqual({ "grpc-status": "0" });
  });

  it("carries a body larger than the socket buffers through a sink that pushes back", async () => {
    const size = 4 * 1024 * 1024;
    const p = await upstream((_req, res) => res.end(Buffer.alloc(size, 7)));
    const body = bodyOf(await dispatchRequest(p, GET, undefined, passThrough));
    let received = 0;
    let writes = 0;
    let pushedBack = 0;
    await new Promise<void>((resolve, reject) => {
      const sink: BodySink = {
        write(chunk) {
          received += chunk.length;
          // Full every other chunk; drained on the next turn.
          if (++writes % 2 === 0) return true;
          pushedBack++;
          setImmediate(() => body.resume());
          return false;
        },
        end: () => resolve(),
        fail: reject,
      };
      body.pipeTo(sink);
    });
    expect(received).toBe(size);
    expect(pushedBack).toBeGreaterThan(0);
  });

  it("rejects with the signal's reason when aborted before response headers", async () => {
    const p = await upstream(() => undefined);
    const controller = new AbortController();
    const pending = dispatchRequest(p, GET, controller.signal, { classify: () => new Error("classified") });
    setTimeout(() => controller.abort(new Error("route timeout")), 50);
    await expect(pending).rejects.toThrow("route timeout");
  });

  it("fails the body with the signal's reason when aborted mid-body", async () => {
    const p = await upstream((_req, res) => {
      res.writeHead(200);
      res.write("first");
    });
    const controller = new AbortController();
    const body = bodyOf(await dispatchRequest(p, GET, controller.signal, passThrough));
    const failed = new Promise<Error>((resolve) => body.pipeTo({ write: () => true, end: () => resolve(new Error("ended")), fail: resolve }));
    controller.abort(new Error("route timeout"));
    expect((await failed).message).toBe("route timeout");
  });

  it("hands an error before headers to classify", async () => {
    const p = await upstream((req) => req.socket.destroy());
    await expect(dispatchRequest(p, GET, undefined, { classify: (e) => new Error(`classified: ${(e as { code?: string }).code}`) })).rejects.toThrow(/^classified: UND_ERR_SOCKET/);
  });
});
