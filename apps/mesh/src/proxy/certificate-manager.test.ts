import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRootCa, readIdentity, signCsr } from "@skein/shared";
import { CERT_FILE, CertificateManager, KEY_FILE } from "./certificate-manager.ts";
import { ManualClock, SequenceRng } from "./clock.ts";
import { IdentitySource } from "./identity.ts";

// Certificate times have whole seconds (X.509 UTCTime), so the test clock starts on one.
const t0 = Math.floor(Date.now() / 1000) * 1000;
const reviews = "spiffe://cluster.local/ns/default/sa/reviews";
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A CA endpoint that signs every CSR for `reviews` with a 10 s lifetime, at time t0. */
async function fakeCa() {
  const root = await createRootCa({ trustDomain: "cluster.local", ttlMs: 3600_000, clock: { now: () => t0 - 60_000 } });
  let requests = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", async () => {
      requests++;
      const { csr } = JSON.parse(body) as { csr: string };
      const certificate = await signCsr(root, csr, { spiffeId: reviews, ttlMs: 10_000, clock: { now: () => t0 } });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ certificate, root: root.certPem }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const stop = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  cleanups.push(() => server.listening && stop());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests, stop };
}

async function cacheDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "skein-certs-"));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

function manager(url: string, dir: string, clock: ManualClock, log: string[] = []) {
  const identity = new IdentitySource();
  const m = new CertificateManager({ controlPlane: url, token: "t", spiffeId: reviews, identity, cacheDir: dir, clock, timers: clock, rng: new SequenceRng([0]), retry: { baseMs: 1000, maxMs: 8000 }, log: (l) => log.push(l) });
  cleanups.push(() => m.close());
  return { m, identity, log };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((d) => setTimeout(d, 10));
  expect(check()).toBe(true);
}

describe("CertificateManager", () => {
  it("gets a certificate at start and schedules its renewal at half-life", async () => {
    const ca = await fakeCa();
    const clock = new ManualClock(t0);
    const { m, identity } = manager(ca.url, await cacheDir(), clock);
    await m.start();
    clock.advance(0);
    await m.ready;
    expect(readIdentity(identity.current()!.certPem).spiffeId).toBe(reviews);
    // Issued at t0 for 10 s, backdated by 1 s: half-life is 4.5 s away.
    await until(() => clock.pendingTimers === 1);
    expect(m.renewAt).toBe(t0 + 4_500);
    expect(clock.pendingDelays()).toEqual([4_500]);
  });

  it("renews at half-life with a fresh key, and caches the key 0600", async () => {
    const ca = await fakeCa();
    const clock = new ManualClock(t0);
    const dir = await cacheDir();
    const { m, identity } = manager(ca.url, dir, clock);
    const rotations: string[] = [];
    identity.onRotate((c) => rotations.push(c.keyPem));
    await m.start();
    clock.advance(0);
    await until(() => m.installed === 1 && clock.pendingTimers === 1);
    clock.advance(4_500);
    await until(() => m.installed === 2);
    expect(rotations).toHaveLength(2);
    expect(rotations[1]).not.toBe(rotations[0]);
    await until(() => clock.pendingTimers === 1);
    expect((await stat(join(dir, KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it("keeps its certificate and retries with back-off while the control plane is away", async () => {
    const ca = await fakeCa();
    const clock = new ManualClock(t0);
    const { m, identity, log } = manager(ca.url, await cacheDir(), clock);
    await m.start();
    clock.advance(0);
    await until(() => m.installed === 1 && clock.pendingTimers === 1);
    const cert = identity.current();
    await ca.stop();
    clock.advance(4_500);
    await until(() => log.length === 1);
    expect(log[0]).toMatch(/^cannot get a certificate: .*; retrying in 500 ms \(current certificate valid until /);
    expect(clock.pendingDelays()).toEqual([500]);
    clock.advance(500);
    await until(() => log.length === 2);
    expect(clock.pendingDelays()).toEqual([1000]);
    expect(identity.current()).toBe(cert);
  });

  it("starts on a cached certificate without asking the control plane", async () => {
    const ca = await fakeCa();
    const dir = await cacheDir();
    const firstClock = new ManualClock(t0);
    const first = manager(ca.url, dir, firstClock);
    await first.m.start();
    firstClock.advance(0);
    // The renewal is scheduled once the certificate is cached.
    await until(() => first.m.installed === 1 && firstClock.pendingTimers === 1);
    expect((await stat(join(dir, CERT_FILE))).isFile()).toBe(true);
    const before = ca.requests();

    const clock = new ManualClock(t0 + 1_000);
    const second = manager(ca.url, dir, clock);
    await second.m.start();
    await second.m.ready;
    expect(second.identity.current()!.certPem).toBe(first.identity.current()!.certPem);
    expect(ca.requests()).toBe(before);
    expect(clock.pendingDelays()).toEqual([3_500]);
  });

  it("ignores an expired cached certificate", async () => {
    const ca = await fakeCa();
    const dir = await cacheDir();
    const firstClock = new ManualClock(t0);
    const first = manager(ca.url, dir, firstClock);
    await first.m.start();
    firstClock.advance(0);
    await until(() => first.m.installed === 1 && firstClock.pendingTimers === 1);

    const clock = new ManualClock(t0 + 60_000);
    const log: string[] = [];
    const second = manager(ca.url, dir, clock, log);
    await second.m.start();
    expect(second.m.installed).toBe(0);
    expect(log[0]).toMatch(/^cached certificate expired at /);
  });
});
