import type { ProxyStatus } from "@skein/shared";
import type { Clock } from "../proxy/clock.ts";

export interface StatusRecord {
  workload: string;
  namespace: string;
  sentVersion?: string;
  ackedVersion?: string;
  nack?: { version: string; error: string; at: string };
  lastSeen: number;
  identity?: string;
  certificateExpiry?: number;
}

export const proxyKey = (namespace: string, name: string) => `${namespace}/${name}`;

/** What each sidecar was sent, ACKed or NACKed, and its certificate: GET /api/v1/proxies and the console's events. */
export class ProxyStatuses {
  private readonly records = new Map<string, StatusRecord>();
  private readonly listeners = new Set<(s: ProxyStatus) => void>();

  constructor(
    private readonly wall: Clock,
    private readonly isConnected: (key: string) => boolean,
  ) {}

  record(namespace: string, name: string): StatusRecord {
    const key = proxyKey(namespace, name);
    let s = this.records.get(key);
    if (!s) {
      s = { workload: name, namespace, lastSeen: this.wall.now() };
      this.records.set(key, s);
    }
    return s;
  }

  list(): ProxyStatus[] {
    return [...this.records.keys()].sort().flatMap((k) => {
      const s = this.statusOf(k);
      return s ? [s] : [];
    });
  }

  onStatus(listener: (s: ProxyStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(key: string): void {
    if (this.listeners.size === 0) return;
    const s = this.statusOf(key);
    if (s) for (const l of this.listeners) l(s);
  }

  /** Forgets the sidecars `keep` rejects. */
  prune(keep: (key: string, s: StatusRecord) => boolean): void {
    for (const [key, s] of this.records) if (!keep(key, s)) this.records.delete(key);
  }

  private statusOf(key: string): ProxyStatus | undefined {
    const s = this.records.get(key);
    if (!s) return undefined;
    const connected = this.isConnected(key);
    return {
      workload: s.workload,
      namespace: s.namespace,
      connected,
      ...(s.sentVersion !== undefined ? { sentVersion: s.sentVersion } : {}),
      ...(s.ackedVersion !== undefined ? { ackedVersion: s.ackedVersion } : {}),
      ...(s.nack ? { nack: s.nack } : {}),
      lastSeen: new Date(connected ? this.wall.now() : s.lastSeen).toISOString(),
      ...(s.identity !== undefined ? { identity: s.identity } : {}),
      ...(s.certificateExpiry !== undefined ? { certificateExpiry: new Date(s.certificateExpiry).toISOString() } : {}),
    };
  }
}
