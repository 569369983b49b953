import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { request, type Dispatcher } from "undici";
import { certificateResponseSchema, createCsr, readIdentity, rotationTime, type CertIdentity } from "@skein/shared";
import { mathRng, realTimers, wallClock, type Clock, type Rng, type TimerFactory, type TimerHandle } from "./clock.ts";
import type { IdentitySource, WorkloadCertificates } from "./identity.ts";
import { writeFileAtomic } from "./snapshot-cache.ts";
import { backoffDelay, defaultBackoff, type Backoff } from "./xds-client.ts";

export const CERT_FILE = "cert-chain.pem";
export const KEY_FILE = "key.pem";
export const ROOT_FILE = "root-cert.pem";

/** setTimeout's longest delay (2^31-1 ms, ~24.8 days); longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface CertificateManagerOptions {
  controlPlane: string;
  token: string;
  /** The identity asked for; the CA issues the one the join token proves, whatever this says. */
  spiffeId: string;
  identity: IdentitySource;
  /** Where cert, key (0600) and root are kept for a restart without the control plane. */
  cacheDir?: string;
  retry?: Backoff;
  /** Wall clock: certificate validity is absolute time. */
  clock?: Clock;
  timers?: TimerFactory;
  rng?: Rng;
  dispatcher?: Dispatcher;
  log?: (line: string) => void;
}

/**
 * The sidecar's workload certificate, as Istio's SDS agent keeps it: a fresh key and CSR
 * for every certificate (the key never leaves the sidecar), signed by the control plane's
 * CA, installed through IdentitySource.rotate and renewed at half its lifetime. When the
 * control plane is away it retries with back-off while the current certificate serves.
 */
export class CertificateManager {
  private timer: TimerHandle | undefined;
  private closed = false;
  private attempt = 0;
  private renewing: Promise<void> = Promise.resolve();
  private current: CertIdentity | undefined;
  private readonly clock: Clock;
  private readonly timers: TimerFactory;
  private readyResolve!: () => void;
  /** Settles once a certificate is installed (from the cache or the CA). */
  readonly ready: Promise<void>;
  /** Certificates installed so far (cache included). */
  installed = 0;

  constructor(private readonly options: CertificateManagerOptions) {
    this.clock = options.clock ?? wallClock;
    this.timers = options.timers ?? realTimers;
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
  }

  /** Installs a still valid cached certificate if there is one, and schedules the next renewal. */
  async start(): Promise<void> {
    const cached = await this.loadCached();
    if (cached) this.install(cached.certs, cached.id);
    this.scheduleAt(cached ? rotationTime(cached.id) : this.clock.now());
  }

  /** Stops renewing; resolves once a renewal in flight has finished writing the cache. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    await this.renewing;
  }

  /** When the current certificate is due for renewal (undefined before the first). */
  get renewAt(): number | undefined {
    return this.current ? rotationTime(this.current) : undefined;
  }

  private scheduleAt(at: number): void {
    if (this.closed) return;
    this.timer?.cancel();
    const delay = Math.max(0, at - this.clock.now());
    this.timer = this.timers.setTimeout(() => {
      if (this.clock.now() < at) return this.scheduleAt(at);
      this.renewing = this.renew();
    }, Math.min(delay, MAX_TIMER_MS));
  }

  private async renew(): Promise<void> {
    try {
      const { certs, id } = await this.fetch();
      if (this.closed) return;
      this.attempt = 0;
      this.install(certs, id);
      await this.saveCache(certs);
      this.scheduleAt(rotationTime(id));
    } catch (e) {
      if (this.closed) return;
      const delay = backoffDelay(this.attempt++, this.options.retry ?? defaultBackoff, this.options.rng ?? mathRng);
      const expiry = this.current ? ` (current certificate valid until ${new Date(this.current.notAfter).toISOString()})` : "";
      this.options.log?.(`cannot get a certificate: ${(e as Error).message}; retrying in ${Math.round(delay)} ms${expiry}`);
      this.scheduleAt(this.clock.now() + delay);
    }
  }

  private async fetch(): Promise<{ certs: WorkloadCertificates; id: CertIdentity }> {
    const { keyPem, csrPem } = await createCsr({ spiffeId: this.options.spiffeId });
    const res = await request(new URL("/xds/v1/certificate", this.options.controlPlane), {
      method: "POST",
      headers: { authorization: `Bearer ${this.options.token}`, "content-type": "application/json" },
      body: JSON.stringify({ csr: csrPem }),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
      ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`the CA answered ${res.statusCode}: ${text.slice(0, 300)}`);
    const body = certificateResponseSchema.parse(JSON.parse(text));
    const id = readIdentity(body.certificate);
    if (id.spiffeId !== this.options.spiffeId) {
      // The token decides the identity; say so, since peers' policies name the other one.
      this.options.log?.(`the CA issued ${id.spiffeId}, not the ${this.options.spiffeId} this sidecar was configured with: its join token is for that identity`);
    }
    return { certs: { certPem: body.certificate, keyPem, rootPem: body.root }, id };
  }

  private install(certs: WorkloadCertificates, id: CertIdentity): void {
    this.current = id;
    this.installed++;
    this.options.identity.rotate(certs);
    this.readyResolve();
  }

  private async loadCached(): Promise<{ certs: WorkloadCertificates; id: CertIdentity } | undefined> {
    const dir = this.options.cacheDir;
    if (!dir) return undefined;
    try {
      const [certPem, keyPem, rootPem] = await Promise.all([CERT_FILE, KEY_FILE, ROOT_FILE].map((f) => readFile(join(dir, f), "utf8")));
      const id = readIdentity(certPem!);
      if (!new X509Certificate(certPem!).checkPrivateKey(createPrivateKey(keyPem!))) throw new Error("cached key does not match the cached certificate");
      if (id.notAfter <= this.clock.now()) {
        this.options.log?.(`cached certificate expired at ${new Date(id.notAfter).toISOString()}; waiting for a new one`);
        return undefined;
      }
      return { certs: { certPem: certPem!, keyPem: keyPem!, rootPem: rootPem! }, id };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.options.log?.(`ignoring cached certificate: ${(e as Error).message}`);
      return undefined;
    }
  }

  private async saveCache(certs: WorkloadCertificates): Promise<void> {
    const dir = this.options.cacheDir;
    if (!dir) return;
    try {
      // Key before certificate: a crash in between leaves a pair that does not match, which
      // loadCached detects; the cache is then ignored and a new certificate fetched.
      await writeFileAtomic(join(dir, KEY_FILE), certs.keyPem, 0o600);
      await writeFileAtomic(join(dir, CERT_FILE), certs.certPem, 0o644);
      await writeFileAtomic(join(dir, ROOT_FILE), certs.rootPem, 0o644);
    } catch (e) {
      this.options.log?.(`cannot cache the certificate in ${dir}: ${(e as Error).message}`);
    }
  }
}
