import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ProxySnapshot, Workload } from "@skein/shared";
import { ManualClock, SequenceRng } from "./clock.ts";
import { backoffDelay, parseEvent, sleep, XdsClient } from "./xds-client.ts";

describe("parseEvent", () => {
  it.each([
    ["an event with data", "event: snapshot\ndata: {\"v\":1}", { event: "snapshot", data: '{"v":1}' }],
    ["data without a space after the colon", "event:ping\ndata:{}", { event: "ping", data: "{}" }],
    ["data over several lines", "data: a\ndata: b", { event: "message", data: "a\nb" }],
    ["comments between fields", ": keep-alive\nevent: ping\ndata: {}", { event: "ping", data: "{}" }],
    ["an event without data", "event: ping", { event: "ping", data: "" }],
    ["only a comment", ": hello", undefined],
  ])("reads %s", (_label, block, expected) => {
    expect(parseEvent(block)).toEqual(expected);
  });
});

describe("backoffDelay", () => {
  const backoff = { baseMs: 500, maxMs: 10_000 };
  it.each([
    [0, 0, 250],
    [0, 0.999, 499.75],
    [1, 0, 500],
    [3, 0.5, 3000],
    [5, 0, 5000],
    [40, 0.999, 9995],
  ])("attempt %i with random %f waits %f ms", (attempt, random, expected) => {
    expect(backoffDelay(attempt, backoff, new SequenceRng([random]))).toBeCloseTo(expected, 6);
  });
});

describe("sleep", () => {
  it("resolves true when the time passes and false when cancelled", async () => {
    const clock = new ManualClock();
    const a = sleep(clock, 100);
    clock.advance(100);
    expect(await a.done).toBe(true);
    const b = sleep(clock, 100);
    b.cancel();
    expect(await b.done).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });
});

// ---- against a minimal SSE server ---------------------------------------------------

const servers: { close(): void; closeAllConnections(): void }[] = [];
const clients: XdsClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

const workload: Workload = { name: "reviews-v1", namespace: "default", serviceAccount: "reviews", labels: {}, address: "127.0.0.1", inboundPort: 1 };
const snapshot = (version: string) => ({ version }) as ProxySnapshot;

async function fakeControlPlane() {
  const streams: ServerResponse[] = [];
  const acks: { version: string; error?: string }[] = [];
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url!, "http://cp");
    if (url.pathname === "/xds/v1/stream") {
      queries.push(url.searchParams);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      streams.push(res);
      return;
    }
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      acks.push(JSON.parse(body) as { version: string; error?: string });
      res.writeHead(204).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const push = (s: ProxySnapshot) => streams.at(-1)!.write(`event: snapshot\ndata: ${JSON.stringify({ version: s.version, snapshot: s })}\n\n`);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, streams, acks, queries, push };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((d) => setTimeout(d, 10));
  expect(check()).toBe(true);
}

describe("XdsClient", () => {
  it("applies and ACKs a snapshot, NACKs one whose apply throws, and reconnects with its version when the stream drops", async () => {
    const cp = await fakeControlPlane();
    let served: string | undefined;
    const client = new XdsClient({
      controlPlane: cp.url,
      token: "t",
      workload,
      servedVersion: () => served,
      apply: (s) => {
        if (s.version === "bad") throw new Error("route regex does not compile");
        served = s.version;
      },
      backoff: { baseMs: 10, maxMs: 20 },
    });
    clients.push(client);
    client.start();
    await until(() => cp.streams.length === 1);
    expect(JSON.parse(cp.queries[0]!.get("workload")!)).toEqual(workload);
    expect(cp.queries[0]!.has("version")).toBe(false);

    cp.push(snapshot("v1"));
    await until(() => cp.acks.length === 1);
    expect(cp.acks[0]).toEqual({ version: "v1" });
    cp.push(snapshot("bad"));
    await until(() => cp.acks.length === 2);
    expect(cp.acks[1]).toEqual({ version: "bad", error: "route regex does not compile" });
    expect(served).toBe("v1");

    cp.streams[0]!.destroy();
    await until(() => cp.streams.length === 2);
    expect(cp.queries[1]!.get("version")).toBe("v1");
    // The config in force, sent again after a reconnect, is ACKed without applying it again.
    served = "v1";
    cp.push(snapshot("v1"));
    await until(() => cp.acks.length === 3);
    expect(cp.acks[2]).toEqual({ version: "v1" });
    expect(client.received).toBe(3);
  });
});

describe("XdsClient deltas", () => {
  const full = (version: string, clusters: Record<string, unknown> = {}) =>
    ({
      version,
      workload: { name: "reviews-v1", namespace: "default", serviceAccount: "reviews", labels: {}, trustDomain: "cluster.local", spiffeId: "spiffe://cluster.local/ns/default/sa/reviews" },
      outbound: { virtualHosts: [] },
      inbound: { mtls: { mode: "PERMISSIVE", portLevel: {} }, authorization: { custom: [], deny: [], allow: [], audit: [] }, ports: [] },
      clusters,
    }) as unknown as ProxySnapshot;
  const cluster = (name: string) => ({ name, endpoints: [] });
  const sendDelta = (res: ServerResponse, version: string, base: string, delta: unknown) => res.write(`event: delta\ndata: ${JSON.stringify({ version, base, delta })}\n\n`);

  async function deltaClient() {
    const cp = await fakeControlPlane();
    const applied: ProxySnapshot[] = [];
    let served: ProxySnapshot | undefined;
    const client = new XdsClient({
      controlPlane: cp.url,
      token: "t",
      workload,
      servedVersion: () => served?.version,
      servedSnapshot: () => served,
      apply: (s) => {
        applied.push(s);
        served = s;
      },
      // A reconnect that waited for its back-off would outlast the test.
      backoff: { baseMs: 60_000, maxMs: 60_000 },
    });
    clients.push(client);
    client.start();
    await until(() => cp.streams.length === 1);
    return { cp, applied, client };
  }

  it("asks for deltas, applies one to the snapshot in force and ACKs it", async () => {
    const { cp, applied } = await deltaClient();
    expect(cp.queries[0]!.get("delta")).toBe("1");
    cp.push(full("v1", { "outbound|80||a": cluster("a"), "outbound|80||b": cluster("b") }));
    await until(() => cp.acks.length === 1);
    sendDelta(cp.streams[0]!, "v2", "v1", { virtualHosts: [], clusters: { "outbound|80||c": cluster("c") }, removedClusters: ["outbound|80||a"] });
    await until(() => cp.acks.length === 2);
    expect(cp.acks[1]).toEqual({ version: "v2" });
    expect(applied.at(-1)!.version).toBe("v2");
    expect(Object.keys(applied.at(-1)!.clusters)).toEqual(["outbound|80||b", "outbound|80||c"]);
  });

  it("NACKs a delta that does not fit the snapshot in force, which stays", async () => {
    const { cp, applied } = await deltaClient();
    cp.push(full("v1"));
    await until(() => cp.acks.length === 1);
    sendDelta(cp.streams[0]!, "v2", "v1", { virtualHosts: [], clusters: {}, removedClusters: ["outbound|80||gone"] });
    await until(() => cp.acks.length === 2);
    expect(cp.acks[1]).toMatchObject({ version: "v2", error: expect.stringMatching(/removes cluster outbound\|80\|\|gone/) });
    expect(applied.map((s) => s.version)).toEqual(["v1"]);
  });

  it("reconnects at once, without answering, for a delta against another version than the one in force", async () => {
    const { cp, applied, client } = await deltaClient();
    cp.push(full("v1"));
    await until(() => cp.acks.length === 1);
    sendDelta(cp.streams[0]!, "v3", "v2", { virtualHosts: [], clusters: {}, removedClusters: [] });
    await until(() => cp.streams.length === 2);
    expect(cp.queries[1]!.get("version")).toBe("v1");
    cp.push(full("v3"));
    await until(() => cp.acks.length === 2);
    expect(cp.acks.map((a) => a.version)).toEqual(["v1", "v3"]);
    expect(applied.map((s) => s.version)).toEqual(["v1", "v3"]);
    expect(client.received).toBe(3);
  });
});
