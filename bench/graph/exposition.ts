// Istio's standard metrics for a synthetic mesh, as Prometheus text exposition: the same
// names, label sets, label values and (Envoy's default) buckets a Skein or Istio sidecar
// exports, with the label values computed by the sidecar's own function
// (peerLabelValues), one scrape target per namespace (the sidecars of that namespace).
// Counters are the edge's rate times the time since it appeared, so they grow between
// scrapes and rate() gives back the planned rate; values are fractional, which keeps low
// rates exact over a one-minute window. istio_request_bytes and istio_response_bytes are
// left out: nothing in the graph reads them and they would triple the series count.
import { HTTP_LABELS, TCP_LABELS, connectionSecurityPolicy, peerLabelValues, type LocalWorkload, type PeerInfo } from "../../apps/mesh/src/proxy/telemetry/istio-labels.ts";
import { ENVOY_DEFAULT_BUCKETS } from "../../apps/mesh/src/proxy/telemetry/series-collector.ts";
import type { SyntheticEdge, SyntheticMesh, SyntheticWorkload } from "./synthetic-mesh.ts";

const TRUST_DOMAIN = "cluster.local";
const CLUSTER_ID = "Kubernetes";
/** Width of the log-normal request durations: p95 is about 2.7 x the median. */
const DURATION_SIGMA = 0.6;
/** Counters start as if the mesh had been running this long, as a real one has. */
const HISTORY_SECONDS = 600;

interface CounterLine {
  /** `name{labels} `, built once. */
  head: string;
  perSecond: number;
  since: number;
}

interface HistogramLines {
  /** One head per bucket bound and +Inf, then _sum and _count. */
  buckets: string[];
  sum: string;
  count: string;
  /** Cumulative share of requests at or under each bound. */
  cdf: number[];
  meanMs: number;
  perSecond: number;
  since: number;
}

interface TargetSeries {
  requests: CounterLine[];
  durations: HistogramLines[];
  tcpSent: CounterLine[];
  tcpReceived: CounterLine[];
  tcpOpened: CounterLine[];
  tcpClosed: CounterLine[];
}

export interface SeriesCount {
  requests: number;
  /** Bucket, _sum and _count series of istio_request_duration_milliseconds. */
  duration: number;
  tcp: number;
  total: number;
}

export class IstioExposition {
  private readonly targets = new Map<string, TargetSeries>();

  /** `startSeconds`: when the mesh's counters started (unix seconds). */
  constructor(private readonly startSeconds: number) {}

  /** Adds the edges' series; `nowSeconds` is when they appear (their counters start at 0 then, unless at start). */
  add(mesh: Pick<SyntheticMesh, "edges">, nowSeconds = this.startSeconds): void {
    const since = nowSeconds === this.startSeconds ? this.startSeconds - HISTORY_SECONDS : nowSeconds;
    for (const edge of mesh.edges) {
      if (edge.source) this.addReporter(edge, "outbound", since);
      this.addReporter(edge, "inbound", since);
    }
  }

  /** Namespaces with at least one reporting sidecar. */
  targetNames(): string[] {
    return [...this.targets.keys()].sort();
  }

  seriesCount(): SeriesCount {
    let requests = 0;
    let duration = 0;
    let tcp = 0;
    for (const t of this.targets.values()) {
      requests += t.requests.length;
      duration += t.durations.reduce((n, h) => n + h.buckets.length + 2, 0);
      tcp += t.tcpSent.length + t.tcpReceived.length + t.tcpOpened.length + t.tcpClosed.length;
    }
    return { requests, duration, tcp, total: requests + duration + tcp };
  }

  /** The text exposition of one target at `nowSeconds`; undefined for an unknown target. */
  render(target: string, nowSeconds: number): string | undefined {
    const t = this.targets.get(target);
    if (!t) return undefined;
    const out: string[] = [];
    const counter = (name: string, help: string, lines: CounterLine[]) => {
      if (lines.length === 0) return;
      out.push(`# HELP ${name} ${help}\n# TYPE ${name} counter\n`);
      for (const l of lines) out.push(l.head, format(l.perSecond * Math.max(0, nowSeconds - l.since)), "\n");
    };
    counter("istio_requests_total", "Requests handled by the proxy.", t.requests);
    if (t.durations.length > 0) {
      const name = "istio_request_duration_milliseconds";
      out.push(`# HELP ${name} Request duration in milliseconds.\n# TYPE ${name} histogram\n`);
      for (const h of t.durations) {
        const count = h.perSecond * Math.max(0, nowSeconds - h.since);
        for (let i = 0; i < h.buckets.length; i++) out.push(h.buckets[i]!, format(count * h.cdf[i]!), "\n");
        out.push(h.sum, format(count * h.meanMs), "\n", h.count, format(count), "\n");
      }
    }
    counter("istio_tcp_sent_bytes_total", "Bytes sent downstream on TCP connections.", t.tcpSent);
    counter("istio_tcp_received_bytes_total", "Bytes received on TCP connections.", t.tcpReceived);
    counter("istio_tcp_connections_opened_total", "TCP connections opened.", t.tcpOpened);
    counter("istio_tcp_connections_closed_total", "TCP connections closed.", t.tcpClosed);
    return out.join("");
  }

  private addReporter(edge: SyntheticEdge, direction: PeerInfo["direction"], since: number): void {
    const reporter = direction === "outbound" ? edge.source! : edge.destination;
    const peer = peerInfo(edge, direction);
    const values = peerLabelValues(localWorkload(reporter), peer);
    const policy = connectionSecurityPolicy(peer);
    const t = this.target(reporter.namespace);
    if (edge.protocol === "tcp") {
      const labels = labelText(TCP_LABELS, [...values, "tcp", "-", policy]);
      // Istio's sent bytes are the server's response bytes, from either proxy's view.
      t.tcpSent.push({ head: `istio_tcp_sent_bytes_total{${labels}} `, perSecond: edge.rate, since });
      t.tcpReceived.push({ head: `istio_tcp_received_bytes_total{${labels}} `, perSecond: edge.rate / 5, since });
      t.tcpOpened.push({ head: `istio_tcp_connections_opened_total{${labels}} `, perSecond: edge.rate / 50_000, since });
      t.tcpClosed.push({ head: `istio_tcp_connections_closed_total{${labels}} `, perSecond: edge.rate / 50_000, since });
      return;
    }
    const cdf = logNormalCdf(edge.p50Ms);
    const meanMs = edge.p50Ms * Math.exp((DURATION_SIGMA * DURATION_SIGMA) / 2);
    for (const r of edge.responses) {
      if (direction === "inbound" && r.reporters === "source") continue;
      const labels = labelText(HTTP_LABELS, [...values, edge.protocol, r.code, r.grpc, r.flags, policy]);
      const perSecond = edge.rate * r.share;
      t.requests.push({ head: `istio_requests_total{${labels}} `, perSecond, since });
      const name = "istio_request_duration_milliseconds";
      t.durations.push({
        buckets: [...ENVOY_DEFAULT_BUCKETS.map(String), "+Inf"].map((le) => `${name}_bucket{${labels},le="${le}"} `),
        sum: `${name}_sum{${labels}} `,
        count: `${name}_count{${labels}} `,
        cdf,
        meanMs,
        perSecond,
        since,
      });
    }
  }

  private target(namespace: string): TargetSeries {
    let t = this.targets.get(namespace);
    if (!t) this.targets.set(namespace, (t = { requests: [], durations: [], tcpSent: [], tcpReceived: [], tcpOpened: [], tcpClosed: [] }));
    return t;
  }
}

export function spiffeId(w: SyntheticWorkload): string {
  return `spiffe://${TRUST_DOMAIN}/ns/${w.namespace}/sa/${w.serviceAccount}`;
}

function localWorkload(w: SyntheticWorkload): LocalWorkload {
  return { name: w.name, namespace: w.namespace, labels: { app: w.app, version: w.version }, spiffeId: spiffeId(w), clusterId: CLUSTER_ID };
}

/**
 * The other end as each proxy learns it: the client's proxy from the endpoint it picked
 * and the server's certificate; the server's from the client's certificate and Istio's
 * metadata exchange. A caller outside the mesh has neither, so every source label reads
 * "unknown", as a real sidecar reports it.
 */
function peerInfo(edge: SyntheticEdge, direction: PeerInfo["direction"]): PeerInfo {
  const d = edge.destination;
  const service = { host: `${d.app}.${d.namespace}.svc.cluster.local`, name: d.app, namespace: d.namespace };
  const peer = direction === "outbound" ? d : edge.source;
  if (!peer) return { direction, service };
  return {
    direction,
    ...(edge.mtls ? { principal: spiffeId(peer) } : {}),
    workload: peer.name,
    namespace: peer.namespace,
    labels: { app: peer.app, version: peer.version },
    cluster: CLUSTER_ID,
    service,
  };
}

function labelText(names: readonly string[], values: readonly string[]): string {
  if (names.length !== values.length) throw new Error(`${values.length} values for ${names.length} labels`);
  return names.map((n, i) => `${n}="${escapeLabel(values[i]!)}"`).join(",");
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Share of log-normal durations (median `p50Ms`) at or under each Envoy bucket bound, then +Inf. */
function logNormalCdf(p50Ms: number): number[] {
  return [...ENVOY_DEFAULT_BUCKETS.map((le) => normalCdf(Math.log(le / p50Ms) / DURATION_SIGMA)), 1];
}

/** Abramowitz and Stegun 7.1.26; plenty for bucket shares. */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

function format(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}
