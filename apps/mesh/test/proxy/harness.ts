/**
 * Test harness for the sidecar: real upstream servers, real sidecars (in this process)
 * and a real CA, all on 127.0.0.1 with ports picked by the kernel. Every helper returns
 * something with `close()`; `usingMesh()` closes all of it after each test, even on failure.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect as connectHttp2, createServer as createHttp2Server, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { Agent, request as undiciRequest } from "undici";
import { afterEach } from "vitest";
import {
  createRootCa,
  issueLeaf,
  registryFromServiceEntries,
  spiffeId,
  validateSources,
  type Resource,
  type RootCa,
  type ServiceEntrySpec,
  type WorkloadIdentity,
} from "@skein/shared";
import { IdentitySource, type WorkloadCertificates } from "../../src/proxy/identity.ts";
import { Sidecar, type SidecarOptions, type SidecarPorts } from "../../src/proxy/sidecar.ts";
import { AccessLog, StreamSink } from "../../src/proxy/telemetry/access-log.ts";

const closers: (() => Promise<unknown> | unknown)[] = [];

/** Registers teardown for everything the harness starts in a test file. */
export function usingMesh(): void {
  afterEach(async () => {
    const all = closers.splice(0).reverse();
    for (const c of all) await c();
  });
}

// ---- upstream apps -----------------------------------------------------------------

export interface UpstreamRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type UpstreamHandler = (req: UpstreamRequest, res: ServerResponse, n: number) => void | Promise<void>;

export interface Upstream {
  name: string;
  port: number;
  /** Every request the app received, in order. */
  requests: UpstreamRequest[];
  server: Server;
  close(): Promise<void>;
}

/**
 * An app that answers JSON {name, path, headers}, obeys `?status=N` and `?delay=MS`, or
 * runs `handler` (which gets the 1-based request count) when given.
 */
export async function startUpstream(name: string, handler?: UpstreamHandler): Promise<Upstream> {
  const requests: UpstreamRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const r: UpstreamRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString() };
      requests.push(r);
      if (handler) return void (await handler(r, res, requests.length));
      const url = new URL(r.path, "http://x");
      const delay = Number(url.searchParams.get("delay") ?? 0);
      if (delay > 0) await new Promise((d) => setTimeout(d, delay));
      res.writeHead(Number(url.searchParams.get("status") ?? 200), { "content-type": "application/json" });
      res.end(JSON.stringify({ name, path: r.path, headers: r.headers, body: r.body }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const up: Upstream = {
    name,
    port: (server.address() as AddressInfo).port,
    requests,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  closers.push(up.close);
  return up;
}

// ---- identities ----------------------------------------------------------------------

export interface TestCa {
  root: RootCa;
  /** Certificates for namespace/serviceAccount, valid for `ttlMs` (default 1 h). */
  issue(namespace: string, serviceAccount: string, ttlMs?: number): Promise<WorkloadCertificates>;
}

export async function startCa(trustDomain = "cluster.local"): Promise<TestCa> {
  const clock = { now: () => Date.now() };
  const root = await createRootCa({ trustDomain, ttlMs: 24 * 3600_000, clock });
  return {
    root,
    async issue(namespace, serviceAccount, ttlMs = 3600_000) {
      const leaf = await issueLeaf(root, { spiffeId: spiffeId(trustDomain, namespace, serviceAccount), ttlMs, clock });
      return { certPem: leaf.certPem, keyPem: leaf.keyPem, rootPem: root.certPem };
    },
  };
}

// ---- sidecars ------------------------------------------------------------------------

export function workload(name: string, labels: Record<string, string> = {}, namespace = "default", serviceAccount = name): WorkloadIdentity {
  return { name, namespace, serviceAccount, labels, trustDomain: "cluster.local", spiffeId: `spiffe://cluster.local/ns/${namespace}/sa/${serviceAccount}` };
}

/** Parses Istio YAML the way `skein proxy --config` does; throws on any error. */
export function loadYaml(yaml: string) {
  const report = validateSources([{ file: "test.yaml", text: yaml }]);
  const errors = report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.message} (${e.path})`).join("\n"));
  const resources = report.resources.filter((l) => l.family === "istio").map((l) => l.resource);
  return { resources, registry: registryFromServiceEntries(resources.filter((r) => r.kind === "ServiceEntry") as Resource<ServiceEntrySpec>[]) };
}

export interface TestSidecar {
  sidecar: Sidecar;
  ports: SidecarPorts;
  /** Access-log lines written so far, parsed. */
  accessLog: Record<string, unknown>[];
  /** Applies new YAML, as a file reload would. */
  apply(yaml: string): void;
  close(): Promise<void>;
}

export interface SidecarSpec {
  yaml: string;
  workload?: WorkloadIdentity;
  certs?: WorkloadCertificates;
  /** Inbound listener in front of this app port. */
  appPort?: number;
  metrics?: boolean;
  options?: Partial<SidecarOptions>;
}

export async function startSidecar(spec: SidecarSpec): Promise<TestSidecar> {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const sidecar = new Sidecar({
    workload: spec.workload ?? workload("client", { app: "client", version: "v1" }),
    identity: new IdentitySource(spec.certs),
    // Flush every line at once so tests can read the log right after a request.
    accessLog: new AccessLog(new StreamSink(sink, false, { flushBytes: 1 })),
    outboundPort: 0,
    ...(spec.appPort !== undefined ? { inbound: { port: 0, appPort: spec.appPort } } : {}),
    ...(spec.metrics ? { metricsPort: 0 } : {}),
    ...spec.options,
  });
  const apply = (yaml: string) => {
    const { resources, registry } = loadYaml(yaml);
    sidecar.apply(sidecar.compile(resources, registry));
  };
  apply(spec.yaml);
  const ports = await sidecar.start();
  const t: TestSidecar = { sidecar, ports, accessLog: lines, apply, close: () => sidecar.stop() };
  closers.push(t.close);
  return t;
}

// ---- clients ---------------------------------------------------------------------------

const agent = new Agent({ keepAliveTimeout: 10_000 });

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** Sends one request to a sidecar's outbound port with the given Host header. */
export async function send(port: number, host: string, path = "/", init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const res = await undiciRequest(`http://127.0.0.1:${port}${path}`, {
    method: (init.method ?? "GET") as "GET",
    headers: { host, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
    dispatcher: agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

/** Sends `n` requests, at most `concurrency` at a time, and returns the replies in order. */
export async function sendMany(n: number, concurrency: number, one: (i: number) => Promise<Reply>): Promise<Reply[]> {
  const out: Reply[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await one(i);
      }
    }),
  );
  return out;
}

/** A ServiceEntry that makes `host` a mesh service backed by the given endpoints. */
export function serviceEntry(host: string, port: number, endpoints: { port: number; labels?: Record<string, string>; serviceAccount?: string }[], protocol = "HTTP"): string {
  const eps = endpoints
    .map((e) => `  - address: 127.0.0.1\n    ports: {p: ${e.port}}\n    labels: ${JSON.stringify(e.labels ?? {})}\n${e.serviceAccount ? `    serviceAccount: ${e.serviceAccount}\n` : ""}`)
    .join("");
  const name = host.split(".")[0];
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${name}-${port}}
spec:
  hosts: [${host.includes(".") ? host : `${host}.default.svc.cluster.local`}]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: ${port}, name: p, protocol: ${protocol}}]
  endpoints:
${eps}`;
}

export function closeLater(fn: () => Promise<unknown> | unknown): void {
  closers.push(fn);
}

// ---- resilience helpers --------------------------------------------------------------

/** Polls `check` until it holds or `withinMs` passes (bounded waits, no timed assertions); returns whether it held. */
export async function waitUntil(check: () => boolean | Promise<boolean>, withinMs = 5_000, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((d) => setTimeout(d, everyMs));
  }
}

/** A loopback port nobody listens on (bound, then released): connecting to it is refused. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---- HTTP/2 helpers --------------------------------------------------------------------

export interface Http2Upstream {
  port: number;
  /** Request headers of every stream, in order. */
  requests: IncomingHttpHeaders[];
  /** Connections (sessions) the app accepted: 1 for many requests means they were multiplexed. */
  sessions(): number;
  close(): Promise<void>;
}

/** An h2c app (HTTP/2 with prior knowledge, as gRPC servers speak); `handler` answers each stream. */
export async function startHttp2Upstream(handler: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer, n: number) => void): Promise<Http2Upstream> {
  const requests: IncomingHttpHeaders[] = [];
  const open = new Set<ServerHttp2Session>();
  let sessions = 0;
  const server = createHttp2Server();
  server.on("session", (s: ServerHttp2Session) => {
    sessions++;
    open.add(s);
    s.once("close", () => open.delete(s));
  });
  server.on("stream", (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", () => undefined);
    stream.once("end", () => {
      requests.push(headers);
      handler(stream, headers, Buffer.concat(chunks), requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const up: Http2Upstream = {
    port: (server.address() as AddressInfo).port,
    requests,
    sessions: () => sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
  closers.push(up.close);
  return up;
}

/** An h2c client session to a sidecar's outbound port (closed after the test). */
export function http2Client(port: number): ClientHttp2Session {
  const session = connectHttp2(`http://127.0.0.1:${port}`);
  session.on("error", () => undefined);
  closers.push(() => session.destroy());
  return session;
}

export interface Http2Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The response HEADERS frame carried END_STREAM (a trailers-only response). */
  endStream: boolean;
  body: Buffer;
  trailers?: IncomingHttpHeaders;
  /** RST_STREAM code when the stream was reset, else 0. */
  rstCode: number;
}

/** One request on an HTTP/2 session; resolves when the stream closes, whatever happened to it. */
export function http2Request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer): Promise<Http2Reply> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: body === undefined });
    const reply: Http2Reply = { status: 0, headers: {}, endStream: false, body: Buffer.alloc(0), rstCode: 0 };
    const chunks: Buffer[] = [];
    stream.once("response", (h, flags) => {
      reply.status = Number(h[":status"]);
      reply.headers = h;
      reply.endStream = (flags & 0x1) !== 0;
    });
    stream.once("trailers", (t) => (reply.trailers = t));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("error", () => undefined);
    stream.once("close", () => {
      reply.body = Buffer.concat(chunks);
      reply.rstCode = stream.rstCode ?? 0;
      resolve(reply);
    });
    if (body !== undefined) stream.end(body);
  });
}

/**
 * The usual two-sidecar topology: a client sidecar (productpage) calling `reviews:9080`
 * over mTLS to a server sidecar (reviews-v1) in front of `app`, with certs from one CA.
 */
export async function startSidecarPair(app: Upstream, extraClientYaml = ""): Promise<{ ca: TestCa; server: TestSidecar; client: TestSidecar }> {
  const ca = await startCa();
  const server = await startSidecar({
    yaml: serviceEntry("reviews", 9080, [{ port: 1 }]),
    workload: workload("reviews-v1", { app: "reviews", version: "v1" }, "default", "reviews"),
    certs: await ca.issue("default", "reviews"),
    appPort: app.port,
  });
  const client = await startSidecar({
    yaml: serviceEntry("reviews", 9080, [{ port: server.ports.inbound!, serviceAccount: "reviews", labels: { app: "reviews", version: "v1" } }]) + extraClientYaml,
    workload: workload("productpage-v1", { app: "productpage", version: "v1" }, "default", "productpage"),
    certs: await ca.issue("default", "productpage"),
  });
  return { ca, server, client };
}
