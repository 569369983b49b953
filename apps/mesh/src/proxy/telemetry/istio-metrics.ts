/**
 * Istio's standard metrics for one sidecar, with Istio's names, types, label sets and
 * (Envoy's default) buckets, so Kiali and the Istio Grafana dashboards read them unchanged;
 * plus the proxy's own health metrics. Each instance owns its Registry, so several proxies
 * can live in one process (tests, `skein up`).
 *
 * Hot path: a request costs one WeakMap hit (label values cached on its PeerInfo), one Map
 * hit keyed by a short string of the per-request labels, and four cell updates.
 */
import { Counter, Gauge, Registry } from "prom-client";
import {
  HTTP_LABELS,
  TCP_LABELS,
  connectionSecurityPolicy,
  peerLabelValues,
  type LocalWorkload,
  type PeerInfo,
} from "./istio-labels.ts";
import { NO_RESPONSE_FLAGS } from "../response-flags.ts";
import {
  ENVOY_DEFAULT_BUCKETS,
  HistogramCell,
  counterCollector,
  histogramCollector,
  registerCollector,
  type LabelledSeries,
} from "./series-collector.ts";

/** What one finished HTTP request contributes to Istio's metrics. */
export interface RequestRecord {
  /** "grpc" when the request's content-type is application/grpc; HTTP/1.1 and HTTP/2 are both "http", as in Istio. */
  protocol: "http" | "grpc";
  /** Status sent downstream; 0 when none was (downstream reset, connection failure before headers). */
  responseCode: number;
  /** grpc-status (trailers, else headers) of a gRPC request; undefined gives Istio's empty label. */
  grpcStatus?: number;
  /** Envoy's short string (formatResponseFlags): "-" when none. */
  responseFlags: string;
  /** Wall time from the first downstream byte to the last byte sent downstream. */
  durationMs: number;
  /** Downstream wire bytes received (headers and body), which is what Istio measures. */
  requestBytes: number;
  /** Downstream wire bytes sent (headers and body). */
  responseBytes: number;
}

class HttpSeries implements LabelledSeries {
  requests = 0;
  readonly duration = new HistogramCell(ENVOY_DEFAULT_BUCKETS);
  readonly requestBytes = new HistogramCell(ENVOY_DEFAULT_BUCKETS);
  readonly responseBytes = new HistogramCell(ENVOY_DEFAULT_BUCKETS);
  constructor(readonly labels: Readonly<Record<string, string>>) {}
}

/** One TCP label set; connections with the same peer and flags share it. Amounts are deltas. */
export class TcpSeries implements LabelledSeries {
  opened = 0;
  closed = 0;
  sent = 0;
  received = 0;
  constructor(readonly labels: Readonly<Record<string, string>>) {}

  connectionOpened(): void {
    this.opened++;
  }
  /** Bytes sent downstream (istio_tcp_sent_bytes_total). */
  bytesSent(n: number): void {
    this.sent += n;
  }
  /** Bytes received from downstream (istio_tcp_received_bytes_total). */
  bytesReceived(n: number): void {
    this.received += n;
  }
  connectionClosed(): void {
    this.closed++;
  }
}

interface PeerEntry {
  values: string[];
  securityPolicy: string;
  http: Map<string, HttpSeries>;
  tcp: Map<string, TcpSeries>;
}

export type Direction = "inbound" | "outbound";

export class IstioMetrics {
  readonly registry = new Registry();
  private readonly byObject = new WeakMap<PeerInfo, PeerEntry>();
  private readonly byKey = new Map<string, PeerEntry>();
  private readonly http: HttpSeries[] = [];
  private readonly tcp: TcpSeries[] = [];

  private readonly activeConnections: Gauge<"direction">;
  private readonly ejections: Counter<"cluster_name">;
  private readonly retries: Counter<"cluster_name">;
  private readonly overflows: Counter<"cluster_name">;
  private readonly configVersion: Gauge<"version">;

  constructor(private readonly local: LocalWorkload) {
    const http = () => this.http;
    const tcp = () => this.tcp;
    const B = ENVOY_DEFAULT_BUCKETS;
    for (const c of [
      counterCollector("istio_requests_total", "Requests handled by the proxy.", http, (s) => s.requests, (s) => (s.requests = 0)),
      histogramCollector("istio_request_duration_milliseconds", "Request duration in milliseconds.", B, http, (s) => s.duration),
      histogramCollector("istio_request_bytes", "Request size in bytes.", B, http, (s) => s.requestBytes),
      histogramCollector("istio_response_bytes", "Response size in bytes.", B, http, (s) => s.responseBytes),
      counterCollector("istio_tcp_sent_bytes_total", "Bytes sent downstream on TCP connections.", tcp, (s) => s.sent, (s) => (s.sent = 0)),
      counterCollector("istio_tcp_received_bytes_total", "Bytes received on TCP connections.", tcp, (s) => s.received, (s) => (s.received = 0)),
      counterCollector("istio_tcp_connections_opened_total", "TCP connections opened.", tcp, (s) => s.opened, (s) => (s.opened = 0)),
      counterCollector("istio_tcp_connections_closed_total", "TCP connections closed.", tcp, (s) => s.closed, (s) => (s.closed = 0)),
    ]) {
      registerCollector(this.registry, c);
    }

    const registers = [this.registry];
    const byCluster = ["cluster_name"] as const;
    this.activeConnections = new Gauge({ name: "skein_proxy_active_connections", help: "Open downstream connections.", labelNames: ["direction"], registers });
    this.ejections = new Counter({ name: "skein_proxy_upstream_ejections_total", help: "Hosts ejected by outlier detection.", labelNames: byCluster, registers });
    this.retries = new Counter({ name: "skein_proxy_retries_total", help: "Upstream retries.", labelNames: byCluster, registers });
    this.overflows = new Counter({ name: "skein_proxy_overflows_total", help: "Requests the connection pool refused (UO).", labelNames: byCluster, registers });
    this.configVersion = new Gauge({ name: "skein_proxy_config_version", help: "Snapshot version in use (value 1).", labelNames: ["version"], registers });
  }

  /** Counts one finished HTTP or gRPC request. */
  recordRequest(peer: PeerInfo, r: RequestRecord): void {
    const entry = this.byObject.get(peer) ?? this.peerEntry(peer);
    const grpc = r.grpcStatus === undefined ? "" : String(r.grpcStatus);
    const flags = r.responseFlags || NO_RESPONSE_FLAGS;
    const key = `${r.protocol} ${r.responseCode} ${grpc} ${flags}`;
    let s = entry.http.get(key);
    if (s === undefined) {
      s = new HttpSeries(labelObject(HTTP_LABELS, [...entry.values, r.protocol, String(r.responseCode), grpc, flags, entry.securityPolicy]));
      entry.http.set(key, s);
      this.http.push(s);
    }
    s.requests++;
    // Istio records whole milliseconds (absl Duration / Milliseconds(1) truncates).
    s.duration.observe(r.durationMs > 0 ? Math.floor(r.durationMs) : 0);
    s.requestBytes.observe(r.requestBytes);
    s.responseBytes.observe(r.responseBytes);
  }

  /**
   * The TCP series for a connection. Istio fixes its labels (flags included) when the peer
   * is known, so look it up once per connection and report on the returned series.
   */
  tcpSeries(peer: PeerInfo, responseFlags: string = NO_RESPONSE_FLAGS): TcpSeries {
    responseFlags ||= NO_RESPONSE_FLAGS;
    const entry = this.byObject.get(peer) ?? this.peerEntry(peer);
    let s = entry.tcp.get(responseFlags);
    if (s === undefined) {
      s = new TcpSeries(labelObject(TCP_LABELS, [...entry.values, "tcp", responseFlags, entry.securityPolicy]));
      entry.tcp.set(responseFlags, s);
      this.tcp.push(s);
    }
    return s;
  }

  connectionOpened(direction: Direction): void {
    this.activeConnections.inc({ direction });
  }

  connectionClosed(direction: Direction): void {
    this.activeConnections.dec({ direction });
  }

  upstreamEjected(cluster: string): void {
    this.ejections.inc({ cluster_name: cluster });
  }

  retried(cluster: string): void {
    this.retries.inc({ cluster_name: cluster });
  }

  overflowed(cluster: string): void {
    this.overflows.inc({ cluster_name: cluster });
  }

  /** Info-style gauge: exactly one series, for the version in use. */
  setConfigVersion(version: string): void {
    this.configVersion.reset();
    this.configVersion.set({ version }, 1);
  }

  /** The Prometheus text exposition of every metric of this proxy. */
  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private peerEntry(peer: PeerInfo): PeerEntry {
    // A caller that builds a fresh PeerInfo per request still lands on the same series.
    const key = peerKey(peer);
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      const values = peerLabelValues(this.local, peer);
      entry = { values, securityPolicy: connectionSecurityPolicy(peer), http: new Map(), tcp: new Map() };
      this.byKey.set(key, entry);
    }
    this.byObject.set(peer, entry);
    return entry;
  }
}

function labelObject(names: readonly string[], values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) out[names[i]!] = values[i]!;
  return out;
}

function peerKey(p: PeerInfo): string {
  const labels = p.labels ? Object.keys(p.labels).sort().map((k) => [k, p.labels![k]]) : null;
  const svc = p.service;
  return JSON.stringify([p.direction, p.principal, p.workload, p.namespace, p.cluster, svc?.host, svc?.name, svc?.namespace, labels]);
}

