import { Pool, buildConnector, type Dispatcher } from "undici";
import { checkPeerIdentity, securityFor, type Cluster, type Endpoint, type TransportSecurity } from "@skein/shared";
import { UNLIMITED } from "@skein/shared";
import { AttemptFailure } from "../http/send-upstream.ts";
import { createSecureContext, type ConnectionOptions, type SecureContext } from "node:tls";
import { Http2Origin } from "../http2-upstream.ts";
import type { IdentitySource, WorkloadCertificates } from "../identity.ts";
import { UpstreamConnectionFailure } from "../response-flags.ts";

export type { TransportSecurity } from "@skein/shared";

/**
 * Keep-alive connection pools to upstream hosts, one per (host, security, identity
 * generation). A certificate rotation starts a new generation: new requests use fresh
 * pools while the old ones finish what they carry and close, so no request is dropped.
 */
export class UpstreamTransport {
  private pools = new Map<string, Pool>();
  private origins = new Map<string, Http2Origin>();
  private generation = 0;
  /**
   * One TLS context per workload certificate, shared by every upstream connection. Given
   * `ca`/`cert`/`key`, tls.connect parses all three into a fresh context per connection
   * (measured: ~1 ms of CPU per handshake, and the memory of each).
   */
  private clientContext: { certs: WorkloadCertificates; context: SecureContext } | undefined;

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

  /** The host's HTTP/2 connection (http2 and grpc clusters), keyed like the pools. */
  http2For(cluster: Cluster, endpoint: Endpoint): { origin: Http2Origin; security: TransportSecurity } {
    const security = this.securityOf(cluster, endpoint);
    const key = `${cluster.name} ${endpoint.address} ${endpoint.port} ${security} ${this.generation}`;
    let origin = this.origins.get(key);
    if (!origin) {
      const cp = cluster.connectionPool;
      const host = endpoint.address.includes(":") ? `[${endpoint.address}]` : endpoint.address;
      origin = new Http2Origin({
        origin: `${security === "plaintext" ? "http" : "https"}://${host}:${endpoint.port}`,
        tls: this.tlsOptions(cluster, security),
        connectTimeoutMs: cp.connectTimeoutMs,
        ...(cp.idleTimeoutMs ? { idleTimeoutMs: cp.idleTimeoutMs } : {}),
        maxRequestsPerConnection: cp.maxRequestsPerConnection,
      });
      this.origins.set(key, origin);
    }
    return { origin, security };
  }

  securityOf(cluster: Cluster, endpoint: Endpoint): TransportSecurity {
    return securityFor(cluster, endpoint, this.identity.current() !== undefined);
  }

  /** TLS client options for a connection of this security (empty for plaintext); also used by the TCP proxy. */
  tlsOptions(cluster: Cluster, security: TransportSecurity): ConnectionOptions {
    const certs = this.identity.current();
    if (security === "mutual_tls" && certs) {
      if (this.clientContext?.certs !== certs) this.clientContext = { certs, context: createSecureContext({ ca: certs.rootPem, cert: certs.certPem, key: certs.keyPem }) };
      return {
        secureContext: this.clientContext.context,
        // The leaf has no DNS SAN: identity is the SPIFFE URI SAN, checked against the service accounts.
        checkServerIdentity: checkPeerIdentity(cluster.tls.expectedSpiffeIds),
        servername: cluster.tls.sni ?? cluster.host,
      };
    }
    return security === "tls" ? { servername: cluster.tls.sni ?? cluster.host } : {};
  }

  private createPool(cluster: Cluster, endpoint: Endpoint, security: TransportSecurity): Pool {
    const cp = cluster.connectionPool;
    const host = endpoint.address.includes(":") ? `[${endpoint.address}]` : endpoint.address;
    const scheme = security === "plaintext" ? "http" : "https";
    const tls = this.tlsOptions(cluster, security);
    return new Pool(`${scheme}://${host}:${endpoint.port}`, {
      connections: cp.maxConnections >= UNLIMITED ? null : cp.maxConnections,
      keepAliveTimeout: Math.min(cp.idleTimeoutMs ?? 60_000, 600_000),
      // undici resets a socket only after maxRequestsPerClient + 1 requests (client-h1.js
      // compares the count of earlier requests), so N - 1 gives Envoy's
      // max_requests_per_connection N. N = 1 has no undici spelling (0 means unlimited):
      // the sender then marks each request to close its connection (`reset`).
      ...(cp.maxRequestsPerConnection > 1 ? { maxRequestsPerClient: cp.maxRequestsPerConnection - 1 } : {}),
      connect: failingAsConnectFailure(buildConnector({ timeout: cp.connectTimeoutMs, ...tls })),
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  private rotate(): void {
    this.generation++;
    const old = [...this.pools.values()];
    this.pools = new Map();
    for (const p of old) void p.close().catch(() => undefined);
    for (const o of this.origins.values()) o.close();
    this.origins = new Map();
  }

  /** Drops pools of clusters that no longer exist. */
  retain(clusterNames: ReadonlySet<string>): void {
    for (const [key, pool] of this.pools) {
      const name = key.split(" ")[0]!;
      if (clusterNames.has(name)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
    }
    for (const [key, origin] of this.origins) {
      if (clusterNames.has(key.split(" ")[0]!)) continue;
      this.origins.delete(key);
      origin.close();
    }
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    for (const o of this.origins.values()) o.destroy();
    this.origins.clear();
    await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
  }
}

/**
 * Whatever fails before the connection is up (refused, connect timeout, TLS handshake,
 * a server whose SPIFFE ID is not the destination's) is Envoy's connection failure: 503
 * with flag UF, retried under `connect-failure`. Node gives these errors unrelated codes
 * (ECONNRESET mid-handshake, none for a failed identity check), so the connector marks
 * them while it still knows the connection never opened.
 */
function failingAsConnectFailure(connector: buildConnector.connector): buildConnector.connector {
  return (options, callback) =>
    connector(options, (err, socket) => {
      if (err === null) return callback(null, socket!);
      const failure = new UpstreamConnectionFailure(`upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${err.message}`, { cause: err });
      callback(new AttemptFailure(failure, "connect-failure", false), null);
    });
}
