import { randomBytes } from "node:crypto";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { closeLater, serviceEntry, startCa, startSidecar, unusedPort, usingMesh, waitUntil, workload, type TestCa, type TestSidecar } from "./harness.ts";

usingMesh();

// ---- raw TCP apps and an HTTPS_PROXY-style client ------------------------------------------

type TcpApp = { port: number; connections: () => number };

/**
 * A TCP app. "echo" writes back what it reads as it reads it (and ends when the peer
 * does); "reply-on-end" answers only after the peer's FIN, which needs the half-close to
 * cross the tunnel; `greeting` is written first on every connection.
 */
async function startTcpApp(mode: "echo" | "reply-on-end", greeting = ""): Promise<TcpApp> {
  let connections = 0;
  const open = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    connections++;
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    socket.on("error", () => undefined);
    if (greeting) socket.write(greeting);
    const got: Buffer[] = [];
    socket.on("data", (c: Buffer) => (mode === "echo" ? socket.write(c) : got.push(c)));
    socket.once("end", () => (mode === "echo" ? socket.end() : socket.end(`got ${Buffer.concat(got).length} bytes`)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  closeLater(
    () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

interface Tunnel {
  socket: Socket;
  status: number;
  /** Everything read after the CONNECT answer, as it arrives. */
  received: () => Buffer;
  /** Resolves once the sidecar closed its side. */
  ended: Promise<void>;
}

/** `CONNECT <authority>` to a sidecar's outbound port, the way HTTPS_PROXY clients start. */
async function openTunnel(port: number, authority: string): Promise<Tunnel> {
  const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: true });
  socket.on("error", () => undefined);
  closeLater(() => socket.destroy());
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n\r\n`);
  let buf = Buffer.alloc(0);
  let onData: (() => void) | undefined;
  const ended = new Promise<void>((resolve) => socket.once("end", () => resolve()));
  socket.on("data", (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    onData?.();
  });
  for (;;) {
    if (buf.includes("\r\n\r\n")) break;
    const more = new Promise<void>((resolve) => (onData = resolve));
    if (await Promise.race([more.then(() => false), ended.then(() => true)])) break;
  }
  const headEnd = buf.indexOf("\r\n\r\n");
  const head = buf.subarray(0, Math.max(headEnd, 0)).toString("latin1");
  const start = headEnd < 0 ? buf.length : headEnd + 4;
  return { socket, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), received: () => buf.subarray(start), ended };
}

async function until(tunnel: Tunnel, bytes: number): Promise<Buffer> {
  expect(await waitUntil(() => tunnel.received().length >= bytes, 5_000, 5)).toBe(true);
  return tunnel.received();
}

// ---- the mesh: client sidecar -> (mTLS, CONNECT) -> server sidecar -> TCP app ----------------

async function dbServer(ca: TestCa, appPort: number, version: string, extraYaml = ""): Promise<TestSidecar> {
  return startSidecar({
    yaml: serviceEntry("db", 5432, [{ port: 1 }], "TCP") + extraYaml,
    workload: workload(`db-${version}`, { app: "db", version }, "default", "db"),
    certs: await ca.issue("default", "db"),
    appPort,
    metrics: true,
  });
}

async function dbClient(ca: TestCa, yaml: string): Promise<TestSidecar> {
  return startSidecar({ yaml, workload: workload("api-v1", { app: "api", version: "v1" }, "default", "api"), certs: await ca.issue("default", "api"), metrics: true });
}

async function tcpMesh(app: TcpApp, serverYaml = "") {
  const ca = await startCa();
  const server = await dbServer(ca, app.port, "v1", serverYaml);
  const client = await dbClient(ca, serviceEntry("db", 5432, [{ port: server.ports.inbound!, serviceAccount: "db", labels: { app: "db", version: "v1" } }], "TCP"));
  return { server, client };
}

function metricLine(text: string, name: string, ...must: string[]): string | undefined {
  return text.split("\n").find((l) => l.startsWith(`${name}{`) && must.every((m) => l.includes(m)));
}

const value = (line: string | undefined) => Number(line?.split(" ").pop() ?? NaN);

describe("TCP services through CONNECT", () => {
  it("tunnels bytes both ways over mTLS through the peer sidecar to its app", async () => {
    const app = await startTcpApp("echo");
    const { client } = await tcpMesh(app);
    const t = await openTunnel(client.ports.outbound, "db:5432");
    expect(t.status).toBe(200);
    t.socket.write("hello");
    expect((await until(t, 5)).toString()).toBe("hello");
    // 256 KiB of binary crosses intact, with backpressure on every hop.
    const blob = randomBytes(256 * 1024);
    t.socket.write(blob);
    expect((await until(t, 5 + blob.length)).subarray(5).equals(blob)).toBe(true);
    t.socket.end();
    await t.ended;
    expect(app.connections()).toBe(1);
  });

  it("keeps half-closes: the client's FIN reaches the app, whose answer still comes back", async () => {
    const app = await startTcpApp("reply-on-end");
    const { client } = await tcpMesh(app);
    const t = await openTunnel(client.ports.outbound, "db:5432");
    t.socket.end(randomBytes(10_000));
    await t.ended;
    expect(t.received().toString()).toBe("got 10000 bytes");
  });

  it("counts Istio's TCP metrics for the connection on both sides", async () => {
    const app = await startTcpApp("echo", "ready\n");
    const { client, server } = await tcpMesh(app);
    const t = await openTunnel(client.ports.outbound, "db:5432");
    await until(t, 6);
    t.socket.write("12345678");
    await until(t, 14);
    t.socket.end();
    await t.ended;
    const svc = 'destination_service="db.default.svc.cluster.local"';
    const closedOn = async (s: TestSidecar, reporter: string) => value(metricLine(await s.sidecar.metrics.metricsText(), "istio_tcp_connections_closed_total", `reporter="${reporter}"`)) === 1;
    expect(await waitUntil(() => closedOn(client, "source"))).toBe(true);
    expect(await waitUntil(() => closedOn(server, "destination"))).toBe(true);
    const src = await client.sidecar.metrics.metricsText();
    const dst = await server.sidecar.metrics.metricsText();
    for (const [text, reporter] of [
      [src, 'reporter="source"'],
      [dst, 'reporter="destination"'],
    ] as const) {
      expect(value(metricLine(text, "istio_tcp_connections_opened_total", reporter, svc, 'request_protocol="tcp"', 'response_flags="-"'))).toBe(1);
      // received: from the client (8 bytes); sent: towards the client (greeting 6 + echo 8).
      expect(value(metricLine(text, "istio_tcp_received_bytes_total", reporter, svc))).toBe(8);
      expect(value(metricLine(text, "istio_tcp_sent_bytes_total", reporter, svc))).toBe(14);
    }
    // The server knows its caller: principal from the handshake, workload from the metadata exchange.
    const opened = metricLine(dst, "istio_tcp_connections_opened_total", 'reporter="destination"');
    expect(opened).toContain('source_workload="api-v1"');
    expect(opened).toContain('source_principal="spiffe://cluster.local/ns/default/sa/api"');
    expect(opened).toContain('connection_security_policy="mutual_tls"');
    expect(metricLine(src, "istio_tcp_connections_opened_total", 'reporter="source"')).toContain('destination_workload="db-v1"');
  });

  it("picks the cluster by weight from the TCP routes", async () => {
    const ca = await startCa();
    const v1 = await dbServer(ca, (await startTcpApp("echo", "v1")).port, "v1");
    const v2 = await dbServer(ca, (await startTcpApp("echo", "v2")).port, "v2");
    const client = await dbClient(
      ca,
      `${serviceEntry("db", 5432, [
        { port: v1.ports.inbound!, serviceAccount: "db", labels: { app: "db", version: "v1" } },
        { port: v2.ports.inbound!, serviceAccount: "db", labels: { app: "db", version: "v2" } },
      ], "TCP")}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db}
spec:
  host: db
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db}
spec:
  hosts: [db]
  tcp:
  - route:
    - {destination: {host: db, subset: v1}, weight: 50}
    - {destination: {host: db, subset: v2}, weight: 50}
`,
    );
    const seen = { v1: 0, v2: 0 };
    for (let i = 0; i < 60; i++) {
      const t = await openTunnel(client.ports.outbound, "db:5432");
      const greeting = (await until(t, 2)).toString() as "v1" | "v2";
      seen[greeting]++;
      t.socket.destroy();
    }
    // P(fewer than 10 of 60 at 50%) is about 1e-7.
    expect(seen.v1).toBeGreaterThanOrEqual(10);
    expect(seen.v2).toBeGreaterThanOrEqual(10);
    expect(seen.v1 + seen.v2).toBe(60);
  });

  it("sends everything to the one route destination at weight 100", async () => {
    const ca = await startCa();
    const v1 = await dbServer(ca, (await startTcpApp("echo", "v1")).port, "v1");
    const v2 = await dbServer(ca, (await startTcpApp("echo", "v2")).port, "v2");
    const client = await dbClient(
      ca,
      `${serviceEntry("db", 5432, [
        { port: v1.ports.inbound!, serviceAccount: "db", labels: { app: "db", version: "v1" } },
        { port: v2.ports.inbound!, serviceAccount: "db", labels: { app: "db", version: "v2" } },
      ], "TCP")}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db}
spec:
  host: db
  subsets: [{name: v2, labels: {version: v2}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db}
spec:
  hosts: [db]
  tcp:
  - route:
    - {destination: {host: db, subset: v2}}
`,
    );
    for (let i = 0; i < 10; i++) {
      const t = await openTunnel(client.ports.outbound, "db:5432");
      expect((await until(t, 2)).toString()).toBe("v2");
      t.socket.destroy();
    }
  });
});

describe("TCP authorization on the server sidecar", () => {
  it("allows the tunnel under an ALLOW by principal", async () => {
    const app = await startTcpApp("echo");
    const { client } = await tcpMesh(
      app,
      `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-only}
spec:
  rules: [{from: [{source: {principals: ["cluster.local/ns/default/sa/api"]}}]}]
`,
    );
    const t = await openTunnel(client.ports.outbound, "db:5432");
    expect(t.status).toBe(200);
  });

  it("denies it when the only ALLOW rule needs HTTP fields, which a TCP connection does not have", async () => {
    const app = await startTcpApp("echo");
    const { client } = await tcpMesh(
      app,
      `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: get-only}
spec:
  rules: [{to: [{operation: {methods: ["GET"]}}]}]
`,
    );
    const t = await openTunnel(client.ports.outbound, "db:5432");
    expect(t.status).toBe(403);
    expect(app.connections()).toBe(0);
  });
});

describe("TCP failures", () => {
  it("answers 503 and counts a UF connection when the peer cannot be reached", async () => {
    const ca = await startCa();
    const client = await dbClient(ca, serviceEntry("db", 5432, [{ port: await unusedPort(), serviceAccount: "db" }], "TCP"));
    const t = await openTunnel(client.ports.outbound, "db:5432");
    expect(t.status).toBe(503);
    const text = await client.sidecar.metrics.metricsText();
    expect(value(metricLine(text, "istio_tcp_connections_opened_total", 'response_flags="UF"'))).toBe(1);
    expect(value(metricLine(text, "istio_tcp_connections_closed_total", 'response_flags="UF"'))).toBe(1);
  });

  it("answers 404 to a CONNECT for a host that is not a TCP service", async () => {
    const ca = await startCa();
    const client = await dbClient(ca, serviceEntry("web", 8080, [{ port: 1 }]));
    expect((await openTunnel(client.ports.outbound, "web:8080")).status).toBe(404);
    expect((await openTunnel(client.ports.outbound, "nowhere:1")).status).toBe(404);
  });
});
