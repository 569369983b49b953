/**
 * Load balancing through a real sidecar over real endpoints, each answering its own name:
 * ROUND_ROBIN's rotation, LEAST_REQUEST's preference for the less busy endpoint, and
 * consistent-hash stickiness on each key Istio offers (header, cookie, query parameter,
 * source IP). https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers
 */
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { send, sendMany, serviceEntry, startSidecar, startUpstream, usingMesh, type Reply, type TestSidecar, type Upstream } from "./harness.ts";

usingMesh();

const HOST = "reviews:9080";

function config(endpoints: Upstream[], loadBalancer: Record<string, unknown>): string {
  return `${serviceEntry("reviews", 9080, endpoints.map((u) => ({ port: u.port })))}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec: ${JSON.stringify({ host: "reviews", trafficPolicy: { loadBalancer } })}
`;
}

async function endpoints(n: number): Promise<Upstream[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => startUpstream(`reviews-${i}`)));
}

const nameOf = (r: Reply): string => {
  expect(r.status).toBe(200);
  return r.json<{ name: string }>().name;
};

describe("ROUND_ROBIN", () => {
  it("visits the endpoints in turn", async () => {
    const eps = await endpoints(3);
    const client = await startSidecar({ yaml: config(eps, { simple: "ROUND_ROBIN" }) });
    const names: string[] = [];
    for (let i = 0; i < 30; i++) names.push(nameOf(await send(client.ports.outbound, HOST)));
    expect(new Set(names.slice(0, 3)).size).toBe(3);
    for (let i = 3; i < 30; i++) expect(names[i]).toBe(names[i - 3]);
    expect(eps.map((e) => e.requests.length)).toEqual([10, 10, 10]);
  });
});

describe("LEAST_REQUEST", () => {
  it("sends most requests to the idle endpoint while the other holds requests in flight", async () => {
    // `busy` never answers until the end, so every request it takes stays active there.
    let landedOnBusy: (() => void) | undefined;
    const held: (() => void)[] = [];
    const busy = await startUpstream("busy", (_req, res) => {
      held.push(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ name: "busy" }));
      });
      landedOnBusy?.();
    });
    const idle = await startUpstream("idle");
    const client = await startSidecar({ yaml: config([busy, idle], { simple: "LEAST_REQUEST" }) });

    const stuck: Promise<Reply>[] = [];
    for (let i = 0; i < 200; i++) {
      const reply = send(client.ports.outbound, HOST);
      const where = await Promise.race([reply.then(() => "idle"), new Promise<string>((resolve) => (landedOnBusy = () => resolve("busy")))]);
      if (where === "busy") stuck.push(reply);
    }
    // Power of two choices (Envoy's default choice_count 2): once `busy` has a request in
    // flight, it is picked only when both samples are `busy`, 1 time in 4; round robin
    // or random would give it half. 200 picks: expect ~50, and 80 is > 4 sigma away.
    expect(idle.requests.length).toBeGreaterThanOrEqual(120);
    expect(busy.requests.length).toBe(stuck.length);
    for (const release of held) release();
    expect((await Promise.all(stuck)).map(nameOf)).toEqual(Array(stuck.length).fill("busy"));
  });
});

describe("consistent hash", () => {
  /** 50 requests for each of a few keys must each land on one endpoint; 60 different keys must reach every endpoint. */
  async function expectSticky(client: TestSidecar, one: (key: string) => Promise<Reply>): Promise<void> {
    for (const key of ["alice", "bob", "carol"]) {
      const names = (await sendMany(50, 10, () => one(key))).map(nameOf);
      expect(new Set(names).size).toBe(1);
    }
    // Three endpoints each own about a third of the ring: the chance that 60 random keys
    // miss one of them is 3 × (2/3)^60 ≈ 1e-10.
    const spread = await sendMany(60, 10, (i) => one(`user-${i}`));
    expect(new Set(spread.map(nameOf)).size).toBe(3);
  }

  it.each([
    ["ring hash", {}],
    ["maglev", { maglev: { tableSize: 65537 } }],
  ])("on a header (%s): the same value sticks to one endpoint, different values spread", async (_name, algorithm) => {
    const client = await startSidecar({ yaml: config(await endpoints(3), { consistentHash: { httpHeaderName: "x-user", ...algorithm } }) });
    await expectSticky(client, (key) => send(client.ports.outbound, HOST, "/", { headers: { "x-user": key } }));
  });

  it("on a cookie", async () => {
    const client = await startSidecar({ yaml: config(await endpoints(3), { consistentHash: { httpCookie: { name: "session", ttl: "0s" } } }) });
    await expectSticky(client, (key) => send(client.ports.outbound, HOST, "/", { headers: { cookie: `theme=dark; session=${key}; lang=en` } }));
    // A quoted value is the same key (Envoy strips the quotes, as Set-Cookie writes them).
    for (const key of ["alice", "bob", "carol"]) {
      const plain = nameOf(await send(client.ports.outbound, HOST, "/", { headers: { cookie: `session=${key}` } }));
      expect(nameOf(await send(client.ports.outbound, HOST, "/", { headers: { cookie: `session="${key}"` } }))).toBe(plain);
    }
  });

  it("on a query parameter", async () => {
    const client = await startSidecar({ yaml: config(await endpoints(3), { consistentHash: { httpQueryParameterName: "user" } }) });
    await expectSticky(client, (key) => send(client.ports.outbound, HOST, `/items?page=2&user=${key}`));
  });

  it("on the source IP: every request from one address lands on one endpoint", async () => {
    const client = await startSidecar({ yaml: config(await endpoints(3), { consistentHash: { useSourceIp: true } }) });
    const names = (await sendMany(50, 10, () => send(client.ports.outbound, HOST))).map(nameOf);
    expect(new Set(names).size).toBe(1);
  });

  // Envoy hashes the downstream connection's remote address. node:http binds the
  // client's source address (undici's Agent ignores localAddress), still on loopback.
  it("on the source IP: callers on different loopback addresses spread over the endpoints", async () => {
    const client = await startSidecar({ yaml: config(await endpoints(3), { consistentHash: { useSourceIp: true } }) });
    const names = new Set<string>();
    for (let i = 2; i < 62; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: client.ports.outbound, path: "/", headers: { host: HOST }, localAddress: `127.0.0.${i}`, agent: false }, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.end();
      });
      names.add((JSON.parse(body) as { name: string }).name);
    }
    expect(names.size).toBe(3);
  });
});
