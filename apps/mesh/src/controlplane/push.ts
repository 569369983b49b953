import type { ServerResponse } from "node:http";
import { spiffeId, type ProxyStatus, type Resource, type Workload, type WorkloadIdentity } from "@skein/shared";
import { monotonicClock, realTimers, wallClock, type Clock, type TimerFactory, type TimerHandle } from "../proxy/clock.ts";
import { GroupSnapshots, sidecarVersion, type GroupSnapshot, type SentConfig } from "./group-snapshots.ts";
import { HttpError, openEventStream } from "./http.ts";
import type { JoinClaim } from "./join-token.ts";
import { proxyKey, ProxyStatuses } from "./proxy-status.ts";
import type { WorkloadLease, WorkloadRegistry } from "./registry.ts";

/** What push needs of the config store: the resources in force, and word when they change. */
export interface ConfigSource {
  current(): readonly Resource[];
  onChange(listener: () => void): unknown;
}

export interface PushOptions {
  config: ConfigSource;
  registry: WorkloadRegistry;
  trustDomain: string;
  rootNamespace?: string;
  /** Quiet time before a burst of changes is pushed (Istio's PILOT_DEBOUNCE_AFTER, 100 ms there). */
  debounceMs?: number;
  /** Longest a steady stream of changes may hold a push back (PILOT_DEBOUNCE_MAX). */
  maxDelayMs?: number;
  /** SSE `ping` interval; the sidecar reconnects when it hears nothing for a few of them. */
  pingMs?: number;
  /** Bytes a push writes before it lets the event loop serve ACKs and sockets, and goes on. */
  yieldAfterBytes?: number;
  /** Runs `fn` once pending I/O has been served (default setImmediate): how a push yields. */
  defer?: (fn: () => void) => void;
  timers?: TimerFactory;
  clock?: Clock;
  wallClock?: Clock;
  log?: (line: string) => void;
}

interface Connection {
  key: string;
  workload: Workload;
  identity: WorkloadIdentity;
  /** The identity as the snapshot carries it, serialised once. */
  identityJson: string;
  res: ServerResponse;
  stream: ReturnType<typeof openEventStream>;
  lease: WorkloadLease;
  /** The sidecar applies `delta` events (it opened the stream with `delta=1`). */
  deltas: boolean;
  /** The version this stream has been given (written or queued behind a full socket). */
  version?: string;
  /** The config last written to the stream, unless the sidecar refused it: the base of a delta. */
  sent?: SentConfig & { version: string };
  /** Newest snapshot held back while the socket drains; older ones are never sent. */
  queued?: { group: GroupSnapshot; version: string };
}

/**
 * Past a megabyte or a few milliseconds a push yields: the sockets get the bytes written
 * so far (Node corks a response's writes until the tick ends, so a push that never yields
 * sends nothing until it is done) and ACKs are read while the rest is written.
 */
const YIELD_AFTER_BYTES = 1024 * 1024;
const YIELD_AFTER_MS = 4;

/**
 * The push side of the sidecar protocol, after xDS: each sidecar holds one SSE stream and
 * is sent its snapshot whenever its version changes, and nothing otherwise; it answers
 * ACK or NACK on /xds/v1/ack. A sidecar that asks for them gets later changes as deltas
 * against what it was last sent, as in incremental xDS.
 */
export class PushServer {
  private readonly connections = new Map<string, Connection>();
  private readonly statuses: ProxyStatuses;
  private readonly groups: GroupSnapshots;
  private readonly timers: TimerFactory;
  private readonly clock: Clock;
  private readonly wall: Clock;
  private readonly log: (line: string) => void;
  private readonly defer: (fn: () => void) => void;
  private readonly unsubscribe: (() => void)[];
  private pushTimer: TimerHandle | undefined;
  private dirtySince: number | undefined;
  private pingTimer: TimerHandle | undefined;
  /** Counts pushes; a push still yielding stops when a newer one starts. */
  private round = 0;
  private closed = false;

  constructor(private readonly options: PushOptions) {
    this.timers = options.timers ?? realTimers;
    this.clock = options.clock ?? monotonicClock;
    this.wall = options.wallClock ?? wallClock;
    this.log = options.log ?? (() => undefined);
    this.defer = options.defer ?? ((fn) => void setImmediate(fn));
    this.statuses = new ProxyStatuses(this.wall, (key) => this.connections.has(key));
    this.groups = new GroupSnapshots({
      resources: () => options.config.current(),
      registry: () => options.registry.serviceRegistry(),
      ...(options.rootNamespace ? { rootNamespace: options.rootNamespace } : {}),
    });
    const fromConfig = options.config.onChange(() => {
      this.groups.configChanged();
      this.schedule();
    });
    const fromRegistry = options.registry.onChange(() => {
      this.groups.registryChanged();
      this.pruneStatuses();
      this.schedule();
    });
    this.unsubscribe = [fromRegistry, ...(typeof fromConfig === "function" ? [fromConfig as () => void] : [])];
    this.schedulePing();
  }

  /**
   * Serves GET /xds/v1/stream for a sidecar whose join token proved `claim`. The
   * workload must be the token's; it is registered while the stream lasts.
   */
  open(claim: JoinClaim, workload: Workload, res: ServerResponse, servedVersion?: string, acceptsDeltas = false): void {
    if (workload.namespace !== claim.namespace || workload.name !== claim.workload || workload.serviceAccount !== claim.serviceAccount) {
      throw new HttpError(403, "Forbidden", `this join token is for workload ${claim.namespace}/${claim.workload} (service account ${claim.serviceAccount}), not ${workload.namespace}/${workload.name} (service account ${workload.serviceAccount})`);
    }
    if (this.closed) throw new HttpError(503, "Unavailable", "the control plane is shutting down");
    const key = proxyKey(workload.namespace, workload.name);
    const identity: WorkloadIdentity = {
      name: workload.name,
      namespace: workload.namespace,
      serviceAccount: workload.serviceAccount,
      labels: workload.labels,
      trustDomain: this.options.trustDomain,
      spiffeId: spiffeId(this.options.trustDomain, workload.namespace, workload.serviceAccount),
    };
    // Register before the old stream (if any) goes, so the workload never looks gone, and
    // compile before answering, so a failure is still an HTTP error the sidecar retries on.
    const lease = this.options.registry.register(workload);
    let first: GroupSnapshot;
    try {
      first = this.groups.snapshotFor(identity);
    } catch (e) {
      lease.release();
      throw e;
    }
    const previous = this.connections.get(key);
    const stream = openEventStream(res);
    res.socket?.setNoDelay(true);
    const conn: Connection = { key, workload, identity, identityJson: JSON.stringify(identity), res, stream, lease, deltas: acceptsDeltas };
    this.connections.set(key, conn);
    if (previous) {
      this.log(`${key}: a new stream replaces the open one`);
      previous.stream.close();
    }
    res.on("close", () => {
      if (!this.closed) this.disconnected(conn);
    });
    const status = this.statuses.record(workload.namespace, workload.name);
    status.lastSeen = this.wall.now();
    // What a sidecar serves from its cache is what it runs, as if it had ACKed it here.
    if (servedVersion !== undefined && status.ackedVersion === undefined) status.ackedVersion = servedVersion;
    this.pushTo(conn, first);
    this.statuses.emit(key);
  }

  /** POST /xds/v1/ack: the sidecar applied `version`, or refused it with `error`. */
  ack(claim: JoinClaim, ack: { version: string; error?: string | undefined }): void {
    const key = proxyKey(claim.namespace, claim.workload);
    const status = this.statuses.record(claim.namespace, claim.workload);
    status.lastSeen = this.wall.now();
    if (ack.error !== undefined) {
      status.nack = { version: ack.version, error: ack.error, at: new Date(this.wall.now()).toISOString() };
      this.log(`${key} NACKed ${ack.version}: ${ack.error}`);
      // It still runs what it had before: the next push cannot be a delta against this one.
      const conn = this.connections.get(key);
      if (conn?.sent?.version === ack.version) delete conn.sent;
    } else {
      status.ackedVersion = ack.version;
      delete status.nack;
    }
    this.statuses.emit(key);
  }

  /** The CA issued this workload a certificate: shown in its proxy status. */
  certificateIssued(claim: JoinClaim, identity: string, notAfter: number): void {
    const status = this.statuses.record(claim.namespace, claim.workload);
    status.identity = identity;
    status.certificateExpiry = notAfter;
    status.lastSeen = this.wall.now();
    this.statuses.emit(proxyKey(claim.namespace, claim.workload));
  }

  /** GET /api/v1/proxies: every connected or still registered sidecar. */
  proxyStatuses(): ProxyStatus[] {
    return this.statuses.list();
  }

  /** Status changes, for the console's event stream. */
  onStatus(listener: (s: ProxyStatus) => void): () => void {
    return this.statuses.onStatus(listener);
  }

  close(): void {
    this.closed = true;
    for (const u of this.unsubscribe) u();
    this.pushTimer?.cancel();
    this.pingTimer?.cancel();
    for (const c of this.connections.values()) {
      c.stream.close();
      c.lease.release();
    }
    this.connections.clear();
  }

  /**
   * Recomputes every stream's snapshot and sends those whose version changed, a group at
   * a time (its members' snapshot is compiled and serialised once), yielding to the event
   * loop every YIELD_AFTER_MS or YIELD_AFTER_BYTES written.
   */
  flush(): void {
    this.pushTimer?.cancel();
    this.pushTimer = undefined;
    this.dirtySince = undefined;
    if (this.closed) return;
    const round = ++this.round;
    const byGroup = new Map<string, Connection[]>();
    for (const conn of this.connections.values()) {
      const key = this.groups.keyOf(conn.identity);
      const members = byGroup.get(key);
      if (members) members.push(conn);
      else byGroup.set(key, [conn]);
    }
    const pending = [...byGroup.values()].flat();
    let next = 0;
    const step = () => {
      if (round !== this.round || this.closed) return;
      const started = this.clock.now();
      let written = 0;
      while (next < pending.length && written < (this.options.yieldAfterBytes ?? YIELD_AFTER_BYTES) && this.clock.now() - started < YIELD_AFTER_MS) {
        const conn = pending[next++]!;
        if (this.connections.get(conn.key) !== conn) continue;
        try {
          // By connection, not by the group found above: a change while the push yielded may regroup.
          written += this.pushTo(conn, this.groups.snapshotFor(conn.identity));
        } catch (e) {
          this.log(`${conn.key}: cannot compile a snapshot: ${(e as Error).message}`);
        }
      }
      if (next < pending.length) this.defer(step);
      else this.groups.pushed();
    };
    step();
  }

  private schedule(): void {
    if (this.closed) return;
    const now = this.clock.now();
    this.dirtySince ??= now;
    this.pushTimer?.cancel();
    const wait = Math.max(0, Math.min(this.options.debounceMs ?? 20, this.dirtySince + (this.options.maxDelayMs ?? 200) - now));
    this.pushTimer = this.timers.setTimeout(() => this.flush(), wait);
  }

  /** Sends `group`'s snapshot unless the stream has it already; the bytes written. */
  private pushTo(conn: Connection, group: GroupSnapshot): number {
    const version = sidecarVersion(group.digest, conn.identityJson);
    if (version === conn.version) return 0;
    conn.version = version;
    if (conn.queued !== undefined || conn.res.writableNeedDrain) {
      // A slow reader gets only the newest snapshot once its socket drains.
      const waiting = conn.queued !== undefined;
      conn.queued = { group, version };
      if (!waiting) conn.res.once("drain", () => this.drained(conn));
      return 0;
    }
    return this.write(conn, group, version);
  }

  private drained(conn: Connection): void {
    const q = conn.queued;
    delete conn.queued;
    if (q && this.connections.get(conn.key) === conn) this.write(conn, q.group, q.version);
  }

  /**
   * Writes a `delta` event when the sidecar takes them and has the base, else the whole
   * `snapshot` event. Head and shared body go as two writes, which Node corks into one
   * writev: the group's bytes are never copied per sidecar.
   */
  private write(conn: Connection, group: GroupSnapshot, version: string): number {
    const delta = conn.deltas && conn.sent ? this.groups.deltaFrom(conn.sent, group) : undefined;
    const v = JSON.stringify(version);
    const head = delta
      ? `event: delta\ndata: {"version":${v},"base":${JSON.stringify(conn.sent!.version)},"delta":`
      : `event: snapshot\ndata: {"version":${v},"snapshot":{"version":${v},"workload":${conn.identityJson},`;
    const body = delta ?? group.body;
    conn.res.write(head);
    conn.res.write(body);
    conn.sent = { digest: group.digest, config: group.config, version };
    this.statuses.record(conn.workload.namespace, conn.workload.name).sentVersion = version;
    this.statuses.emit(conn.key);
    return head.length + body.length;
  }

  private disconnected(conn: Connection): void {
    conn.lease.release();
    if (this.connections.get(conn.key) !== conn) return;
    this.connections.delete(conn.key);
    this.statuses.record(conn.workload.namespace, conn.workload.name).lastSeen = this.wall.now();
    this.statuses.emit(conn.key);
  }

  private schedulePing(): void {
    this.pingTimer = this.timers.setTimeout(() => {
      for (const c of this.connections.values()) if (!c.res.writableNeedDrain) c.stream.send("ping", {});
      if (!this.closed) this.schedulePing();
    }, this.options.pingMs ?? 15_000);
  }

  /** Forgets sidecars that are neither connected nor registered any more (a certificate alone does not keep one). */
  private pruneStatuses(): void {
    this.statuses.prune((key, s) => {
      if (this.connections.has(key) || this.options.registry.get(s.namespace, s.workload)) return true;
      return s.sentVersion === undefined && s.certificateExpiry !== undefined && s.certificateExpiry > this.wall.now();
    });
  }
}
