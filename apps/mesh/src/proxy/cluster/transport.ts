import { Pool, type Dispatcher } from "undici";
import { checkPeerIdentity, type Cluster, type Endpoint } from "@skein/shared";
import { UNLIMITED } from "@skein/shared";
import type { IdentitySource } from "../identity.ts";

export type TransportSecurity = "plaintext" | "mutual_tls" | "tls";

/** Istio's auto mTLS: ISTIO_MUTUAL towards sidecars, plaintext elsewhere; explicit modes as written. */
export function securityFor(cluster: Cluster, endpoint: Endpoint, haveIdentity: boolean): TransportSecurity {
  switch (cluster.tls.mode) {
    case "DISABLE":
      return "plaintext";
    case "SIMPLE":
    case "MUTUAL":
      return "tls";
    case "ISTIO_MUTUAL":
      if (cluster.tls.auto) return endpoint.sidecar && haveIdentity ? "mutual_tls" : "plaintext";
      return "mutual_tls";
  }
}

/**
 * Keep-alive connection pools to upstream hosts, one per (host, security, identity
 * generation). A certificate rotation starts a new generation: new requests use fresh
 * pools while the old ones finish what they carry and close, so no request is dropped.
 */
export class UpstreamTransport {
  private pools = new Map<string, Pool>();
  private generation = 0;

  constructor(private readonly identity: IdentitySource) {
    identity.onRotate(() => this.rotate());
  }

  dispatcherFor(cluster: Cluster, endpoint: Endpoint): { dispatcher: Dispatcher; security: TransportSecurity } {
    const security = securityFor(cluster, endpoint, this.identity.current() !== undefined);
    // Cluster names contain "|" (outbound|9080|v1|host), so the key uses spaces.
    const key = `${cluster.name} ${endpoint.address} ${endpoint.port} ${security} ${this.generation}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = this.createPool(cluster, endpoint, security);
      this.pools.set(key, pool);
    }
    return { dispatcher: pool, security };
  }

  private createPool(cluster: Cluster, endpoint: Endpoint, security: TransportSecurity): Pool {
    const cp = cluster.connectionPool;
    const host = endpoint.address.includes(":") ? `[${endpoint.address}]` : endpoint.address;
    const scheme = security === "plaintext" ? "http" : "https";
    const certs = this.identity.current();
    const tls =
      security === "mutual_tls" && certs
        ? {
            ca: certs.rootPem,
            cert: certs.certPem,
            key: certs.keyPem,
            // The leaf has no DNS SAN: identity is the SPIFFE URI SAN, checked against the service accounts.
            checkServerIdentity: checkPeerIdentity(cluster.tls.expectedSpiffeIds),
            servername: cluster.tls.sni ?? cluster.host,
          }
        : security === "tls"
          ? { servername: cluster.tls.sni ?? cluster.host }
          : {};
    return new Pool(`${scheme}://${host}:${endpoint.port}`, {
      connections: cp.maxConnections >= UNLIMITED ? null : cp.maxConnections,
      keepAliveTimeout: Math.min(cp.idleTimeoutMs ?? 60_000, 600_000),
      ...(cp.maxRequestsPerConnection > 0 ? { maxRequestsPerClient: cp.maxRequestsPerConnection } : {}),
      connect: { timeout: cp.connectTimeoutMs, ...tls },
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  private rotate(): void {
    this.generation++;
    const old = [...this.pools.values()];
    this.pools = new Map();
    for (const p of old) void p.close().catch(() => undefined);
  }

  /** Drops pools of clusters that no longer exist. */
  retain(clusterNames: ReadonlySet<string>): void {
    for (const [key, pool] of this.pools) {
      const name = key.split(" ")[0]!;
      if (clusterNames.has(name)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
  }
}
