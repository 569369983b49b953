import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { compileSnapshot, type ProxySnapshot, type Resource, type ServiceRegistry, type WorkloadIdentity } from "@skein/shared";
import { mathRng, monotonicClock, realTimers, wallClock, type Clock, type Rng, type TimerFactory } from "./clock.ts";
import { ClusterManager } from "./cluster/cluster-runtime.ts";
import { UpstreamTransport } from "./cluster/transport.ts";
import { compose, type Handler, type ProxyRequest } from "./http/exchange.ts";
import { withCircuitBreaker } from "./http/layers/circuit-breaker.ts";
import { withEndpoint } from "./http/layers/endpoint.ts";
import { withFault } from "./http/layers/fault.ts";
import { withRetry } from "./http/layers/retry.ts";
import { withRoute } from "./http/layers/route.ts";
import { withTimeout } from "./http/layers/timeout.ts";
import { withWeightedCluster } from "./http/layers/weighted-cluster.ts";
import { discard } from "./http/response-done.ts";
import { RoutingTable } from "./http/routing-table.ts";
import { sendUpstream } from "./http/send-upstream.ts";
import type { IdentitySource } from "./identity.ts";
import { InboundListener } from "./inbound-listener.ts";
import { OutboundListener } from "./outbound-listener.ts";
import { encodePeerMetadata } from "./peer-metadata.ts";
import { RequestTelemetry } from "./request-telemetry.ts";
import { TcpProxy } from "./tcp-proxy.ts";
import type { AccessLog } from "./telemetry/access-log.ts";
import { canonicalRevision, canonicalService } from "./telemetry/istio-labels.ts";
import { IstioMetrics } from "./telemetry/istio-metrics.ts";
import { OtlpExporter } from "./telemetry/otlp-exporter.ts";
import { IdGenerator } from "./telemetry/tracing.ts";

export interface SidecarOptions {
  workload: WorkloadIdentity;
  identity: IdentitySource;
  accessLog: AccessLog;
  outboundPort?: number;
  /** Inbound listener and the app behind it; absent for a client-only sidecar. */
  inbound?: { port: number; appPort: number };
  metricsPort?: number;
  traceEndpoint?: string;
  samplingPercent?: number;
  host?: string;
  clock?: Clock;
  rng?: Rng;
  timers?: TimerFactory;
}

export interface SidecarPorts {
  outbound: number;
  inbound?: number;
  metrics?: number;
}

/**
 * One sidecar: listeners, upstream clusters and telemetry, driven by snapshots. A new
 * snapshot (file change or control-plane push) swaps the routing table and updates the
 * clusters in place; open connections and in-flight requests carry on.
 */
export class Sidecar {
  readonly metrics: IstioMetrics;
  private snapshot: ProxySnapshot | undefined;
  private table: RoutingTable | undefined;
  private readonly clusters: ClusterManager;
  private readonly transport: UpstreamTransport;
  private readonly outbound: OutboundListener;
  private inbound: InboundListener | undefined;
  private metricsServer: Server | undefined;
  private readonly exporter: OtlpExporter | undefined;
  private readonly clock: Clock;
  private readonly timers: TimerFactory;
  private readonly rng: Rng;

  constructor(private readonly options: SidecarOptions) {
    this.clock = options.clock ?? monotonicClock;
    this.timers = options.timers ?? realTimers;
    this.rng = options.rng ?? mathRng;
    const w = options.workload;
    this.metrics = new IstioMetrics({ name: w.name, namespace: w.namespace, labels: w.labels, spiffeId: w.spiffeId, clusterId: "Kubernetes" });
    this.clusters = new ClusterManager({
      clock: this.clock,
      rng: this.rng,
      timers: this.timers,
      onOutlierEvent: (cluster, e) => {
        if (e.type === "eject") this.metrics.upstreamEjected(cluster);
      },
    });
    this.transport = new UpstreamTransport(options.identity);
    this.exporter = options.traceEndpoint
      ? new OtlpExporter({ endpoint: options.traceEndpoint, serviceName: `${canonicalService(w.labels, w.name)}.${w.namespace}` })
      : undefined;
    const telemetry = new RequestTelemetry({
      metrics: this.metrics,
      accessLog: options.accessLog,
      ...(this.exporter ? { exporter: this.exporter } : {}),
      ids: new IdGenerator(),
      node: { id: `sidecar~${options.host ?? "127.0.0.1"}~${w.name}.${w.namespace}~${w.namespace}.svc.cluster.local`, namespace: w.namespace, canonicalService: canonicalService(w.labels, w.name), canonicalRevision: canonicalRevision(w.labels) },
      wallClock,
      samplingPercent: options.samplingPercent ?? 100,
      random: () => this.rng.next(),
    });
    const tcp = new TcpProxy({ table: () => this.table!, clusters: () => this.clusters, transport: this.transport, rng: this.rng, clock: this.clock, metrics: this.metrics, sourceLabels: w.labels, peerMetadata: encodePeerMetadata(w) });
    this.outbound = new OutboundListener(this.outboundHandler(), telemetry, tcp);
    if (options.inbound) {
      this.inbound = new InboundListener(() => ({ snapshot: this.snapshot!, table: this.table! }), options.identity, options.inbound.appPort, telemetry, "127.0.0.1", this.metrics);
    }
  }

  private outboundHandler(): Handler {
    const w = this.options.workload;
    const send = sendUpstream(this.transport, this.clock, encodePeerMetadata(w));
    const endpoint = withEndpoint(this.clock, (req) => req.downstreamAddress);
    const mirrorChain = endpoint(send);
    const mirror = (req: ProxyRequest, clusterName: string) => {
      const cluster = this.clusters.get(clusterName);
      if (!cluster) return;
      // Envoy's shadowing: same request, "-shadow" appended to the host, response dropped.
      // Envoy's shadow_writer appends "-shadow" to the host and keeps the port.
      const colon = req.authority.lastIndexOf(":");
      const authority = colon > 0 && !req.authority.endsWith("]") ? `${req.authority.slice(0, colon)}-shadow${req.authority.slice(colon)}` : `${req.authority}-shadow`;
      const copy: ProxyRequest = { ...req, headers: { ...req.headers }, authority, cluster, flags: [], signal: AbortSignal.timeout(30_000) };
      mirrorChain(copy).then(discard, () => undefined);
    };
    return compose(
      [
        withRoute(() => this.table!, { labels: w.labels, namespace: w.namespace }),
        withFault(this.rng, this.timers),
        withWeightedCluster(() => this.clusters, this.rng, mirror),
        withTimeout(this.timers),
        withRetry(this.rng, this.timers, (c) => this.metrics.retried(c)),
        withCircuitBreaker((c) => this.metrics.overflowed(c)),
        endpoint,
      ],
      send,
    );
  }

  /** Installs a new snapshot; the first one must come before `start`. */
  apply(snapshot: ProxySnapshot): void {
    // Build what can fail first, so a refused snapshot (NACK) leaves the old one whole.
    const table = new RoutingTable(snapshot);
    this.clusters.apply(snapshot.clusters);
    this.transport.retain(new Set(Object.keys(snapshot.clusters)));
    this.table = table;
    this.snapshot = snapshot;
    this.metrics.setConfigVersion(snapshot.version);
  }

  compile(resources: readonly Resource[], registry: ServiceRegistry): ProxySnapshot {
    return compileSnapshot({ resources, registry, workload: this.options.workload });
  }

  current(): ProxySnapshot | undefined {
    return this.snapshot;
  }

  async start(): Promise<SidecarPorts> {
    if (!this.snapshot) throw new Error("no configuration yet");
    const host = this.options.host ?? "127.0.0.1";
    const ports: SidecarPorts = { outbound: await this.outbound.listen(this.options.outboundPort ?? 0, host) };
    if (this.inbound && this.options.inbound) ports.inbound = await this.inbound.listen(this.options.inbound.port, host);
    if (this.options.metricsPort !== undefined) {
      this.metricsServer = createServer((req, res) => {
        if (req.url === "/stats/prometheus" || req.url === "/metrics") {
          void this.metrics.metricsText().then((text) => {
            res.writeHead(200, { "content-type": this.metrics.contentType });
            res.end(text);
          });
        } else if (req.url === "/config_dump") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(this.snapshot, null, 2));
        } else if (req.url === "/healthz/ready") {
          res.writeHead(this.snapshot ? 200 : 503);
          res.end();
        } else {
          res.writeHead(404);
          res.end();
        }
      });
      await new Promise<void>((resolve) => this.metricsServer!.listen(this.options.metricsPort, host, () => resolve()));
      ports.metrics = (this.metricsServer.address() as AddressInfo).port;
    }
    return ports;
  }

  async stop(): Promise<void> {
    await this.outbound.close();
    await this.inbound?.close();
    if (this.metricsServer) await new Promise<void>((resolve) => this.metricsServer!.close(() => resolve()));
    this.clusters.close();
    await this.transport.close();
    await this.exporter?.shutdown();
    await this.options.accessLog.close();
  }
}
