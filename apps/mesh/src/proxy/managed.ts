import type { Dispatcher } from "undici";
import { compileSnapshot, type ProxySnapshot, type Workload, type WorkloadIdentity } from "@skein/shared";
import { CertificateManager } from "./certificate-manager.ts";
import type { Clock, Rng, TimerFactory } from "./clock.ts";
import { IdentitySource } from "./identity.ts";
import { Sidecar, type SidecarOptions, type SidecarPorts } from "./sidecar.ts";
import { SnapshotCache } from "./snapshot-cache.ts";
import { XdsClient, type Backoff } from "./xds-client.ts";

export interface ManagedProxyOptions {
  sidecar: Omit<SidecarOptions, "identity">;
  /** The control plane's base URL. */
  controlPlane: string;
  /** This workload's join token. */
  token: string;
  /** Holds the last good snapshot and the certificate, for restarts without the control plane. */
  cacheDir: string;
  /** Where peers reach the inbound listener (default: the bind address). */
  address?: string;
  /** The service this workload serves, registered with it. */
  service?: Workload["service"];
  /** Reconnect and certificate retry back-off. */
  backoff?: Backoff;
  idleTimeoutMs?: number;
  dispatcher?: Dispatcher;
  wallClock?: Clock;
  timers?: TimerFactory;
  rng?: Rng;
  log?: (line: string) => void;
}

class Stopped extends Error {
  constructor() {
    super("the proxy was stopped before it was ready");
  }
}

/**
 * `skein proxy --control-plane URL`: a sidecar fed by the control plane's push stream
 * (the standalone proxy's file-fed sibling). It starts on its cached config when it has
 * one, so it serves even when the control plane is down, and otherwise waits for the
 * first snapshot; then it follows the stream and renews its certificate.
 */
export class ManagedProxy {
  readonly sidecar: Sidecar;
  readonly identity = new IdentitySource();
  readonly certificates: CertificateManager;
  private readonly cache: SnapshotCache;
  private client: XdsClient | undefined;
  /** The snapshot in force, from the control plane or the cache: the base of the next delta. */
  private served: ProxySnapshot | undefined;
  private firstSnapshot!: () => void;
  private readonly configured: Promise<void>;
  private stop_!: (e: Stopped) => void;
  private readonly stopped: Promise<never>;
  private started = false;

  constructor(private readonly options: ManagedProxyOptions) {
    this.sidecar = new Sidecar({ ...options.sidecar, identity: this.identity });
    const log = (line: string) => options.log?.(line);
    this.cache = new SnapshotCache(options.cacheDir, log);
    const w = options.sidecar.workload;
    this.certificates = new CertificateManager({
      controlPlane: options.controlPlane,
      token: options.token,
      spiffeId: w.spiffeId,
      identity: this.identity,
      cacheDir: options.cacheDir,
      ...(options.backoff ? { retry: options.backoff } : {}),
      ...(options.wallClock ? { clock: options.wallClock } : {}),
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.rng ? { rng: options.rng } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      log,
    });
    this.configured = new Promise((resolve) => (this.firstSnapshot = resolve));
    this.stopped = new Promise<never>((_resolve, reject) => (this.stop_ = reject));
    this.stopped.catch(() => undefined);
  }

  /** The version in force: from the control plane, or the cache until it answers. */
  get version(): string | undefined {
    return this.served?.version;
  }

  /** Snapshot events received over the stream so far. */
  get snapshotsReceived(): number {
    return this.client?.received ?? 0;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /**
   * Resolves once the sidecar serves: with a valid certificate, and with the cached
   * config or, without one, the first pushed snapshot.
   */
  async start(): Promise<SidecarPorts> {
    const log = (line: string) => this.options.log?.(line);
    const w = this.options.sidecar.workload;
    await this.certificates.start();
    const cached = await this.cache.load();
    if (cached && cached.workload.name === w.name && cached.workload.namespace === w.namespace) {
      this.sidecar.apply(cached);
      this.served = cached;
      this.firstSnapshot();
      log(`serving cached config ${cached.version} until the control plane answers`);
    } else {
      this.sidecar.apply(waitingSnapshot(w));
    }
    // Without a certificate the sidecar could only talk plaintext, which STRICT peers refuse.
    await Promise.race([this.certificates.ready, this.stopped]);
    const ports = await this.sidecar.start();
    this.started = true;
    const host = this.options.sidecar.host ?? "127.0.0.1";
    this.client = new XdsClient({
      controlPlane: this.options.controlPlane,
      token: this.options.token,
      workload: {
        name: w.name,
        namespace: w.namespace,
        serviceAccount: w.serviceAccount,
        labels: w.labels,
        ...(this.options.service ? { service: this.options.service } : {}),
        address: this.options.address ?? (host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host),
        ...(ports.inbound !== undefined ? { inboundPort: ports.inbound } : {}),
        ...(ports.metrics !== undefined ? { metricsPort: ports.metrics } : {}),
      },
      apply: (s) => this.applySnapshot(s),
      servedVersion: () => this.served?.version,
      servedSnapshot: () => this.served,
      ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
      ...(this.options.idleTimeoutMs !== undefined ? { idleTimeoutMs: this.options.idleTimeoutMs } : {}),
      ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
      ...(this.options.timers ? { timers: this.options.timers } : {}),
      ...(this.options.rng ? { rng: this.options.rng } : {}),
      log,
    });
    this.client.start();
    await Promise.race([this.configured, this.stopped]);
    return ports;
  }

  private async applySnapshot(s: ProxySnapshot): Promise<void> {
    const w = this.options.sidecar.workload;
    if (s.workload?.name !== w.name || s.workload?.namespace !== w.namespace) {
      throw new Error(`snapshot is for ${s.workload?.namespace}/${s.workload?.name}, not for this sidecar (${w.namespace}/${w.name})`);
    }
    this.sidecar.apply(s);
    this.served = s;
    this.firstSnapshot();
    await this.cache.save(s).catch((e: Error) => this.options.log?.(`cannot cache config ${s.version}: ${e.message}`));
  }

  async stop(): Promise<void> {
    this.stop_(new Stopped());
    await Promise.all([this.certificates.close(), this.client?.close()]);
    if (this.started) await this.sidecar.stop();
    else await this.options.sidecar.accessLog.close();
  }
}

/**
 * What a sidecar holds before its first snapshot: the listeners must be up to learn
 * their ports (which the control plane needs to register the workload), but nothing may
 * pass yet. Outbound has no routes (404 NR); inbound is STRICT with an ALLOW policy that
 * has no rules, which Istio defines as deny-all.
 */
export function waitingSnapshot(workload: WorkloadIdentity): ProxySnapshot {
  const empty = compileSnapshot({ resources: [], registry: { services: [] }, workload });
  return {
    ...empty,
    version: "",
    inbound: {
      ...empty.inbound,
      mtls: { mode: "STRICT", portLevel: {} },
      authorization: { custom: [], deny: [], audit: [], allow: [{ name: "skein/waiting-for-config", dryRun: false, rules: [] }] },
    },
  };
}
