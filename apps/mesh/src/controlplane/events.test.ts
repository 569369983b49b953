import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import type { ConfigEvent, ProxyStatus } from "@skein/shared";
import { ManualClock } from "../proxy/clock.ts";
import { eventRoutes, serveEvents, type EventDeps } from "./events.ts";

/** A ServerResponse stand-in that records what was written and how much is unread. */
class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  headers: Record<string, string> = {};
  writableLength = 0;
  /** Bytes each write leaves buffered, as a client that stopped reading would. */
  unread = 0;
  destroyed = false;
  writeHead(_status: number, headers: Record<string, string>) {
    this.headers = headers;
    return this;
  }
  flushHeaders() {}
  write(chunk: string) {
    this.chunks.push(chunk);
    this.writableLength += this.unread ? chunk.length : 0;
    return true;
  }
  end() {}
  destroy() {
    this.destroyed = true;
    this.emit("close");
  }
  events(): string[] {
    return this.chunks.map((c) => /^event: (\w+)/.exec(c)![1]!);
  }
}

function sources() {
  const config = new Set<(e: ConfigEvent) => void>();
  const proxy = new Set<(e: ProxyStatus) => void>();
  const deps: EventDeps = {
    subscribeConfig: (l) => (config.add(l), () => void config.delete(l)),
    subscribeProxy: (l) => (proxy.add(l), () => void proxy.delete(l)),
  };
  return { config, proxy, deps };
}

const change: ConfigEvent = { changeSet: 7, author: "admin", action: "apply", changed: [{ kind: "VirtualService", namespace: "default", name: "reviews" }] };
const status: ProxyStatus = { workload: "reviews-v1", namespace: "default", connected: true, ackedVersion: "7", lastSeen: "2025-01-01T00:00:00.000Z" };

function open(deps: EventDeps, clock = new ManualClock()) {
  const res = new FakeResponse();
  serveEvents({ res: res as unknown as ServerResponse }, { ...deps, timers: clock });
  return res;
}

describe("GET /api/v1/events", () => {
  it("is a read without auth", () => {
    expect(eventRoutes(sources().deps)[0]).toMatchObject({ method: "GET", path: "/api/v1/events", auth: "none" });
  });

  it("pings at once, then forwards config and proxy events as SSE", () => {
    const { config, proxy, deps } = sources();
    const res = open(deps);
    expect(res.headers["content-type"]).toBe("text/event-stream");
    for (const l of config) l(change);
    for (const l of proxy) l(status);
    expect(res.events()).toEqual(["ping", "config", "proxy"]);
    expect(res.chunks[1]).toBe(`event: config\ndata: ${JSON.stringify(change)}\n\n`);
  });

  it("pings every 15 s", () => {
    const clock = new ManualClock();
    const res = open(sources().deps, clock);
    clock.advance(14_999);
    expect(res.events()).toEqual(["ping"]);
    clock.advance(1);
    clock.advance(15_000);
    expect(res.events()).toEqual(["ping", "ping", "ping"]);
  });

  it("unsubscribes and cancels its timer when the client goes away", () => {
    const clock = new ManualClock();
    const { config, proxy, deps } = sources();
    const res = open(deps, clock);
    expect([config.size, proxy.size, clock.pendingTimers]).toEqual([1, 1, 1]);
    res.emit("close");
    expect([config.size, proxy.size, clock.pendingTimers]).toEqual([0, 0, 0]);
  });

  it("drops a client that stopped reading once it is too far behind", () => {
    const clock = new ManualClock();
    const { config, deps } = sources();
    const res = new FakeResponse();
    res.unread = 1;
    serveEvents({ res: res as unknown as ServerResponse }, { ...deps, timers: clock, maxBufferedBytes: 200 });
    for (let i = 0; i < 5 && !res.destroyed; i++) for (const l of config) l(change);
    expect(res.destroyed).toBe(true);
    expect([config.size, clock.pendingTimers]).toEqual([0, 0]);
  });
});
