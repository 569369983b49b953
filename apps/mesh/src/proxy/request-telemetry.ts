import { formatResponseFlags, type ResponseFlag } from "./response-flags.ts";
import type { AccessLog } from "./telemetry/access-log.ts";
import type { PeerInfo } from "./telemetry/istio-labels.ts";
import type { IstioMetrics } from "./telemetry/istio-metrics.ts";
import type { OtlpExporter } from "./telemetry/otlp-exporter.ts";
import { buildSpan, childContext, extractTraceContext, injectTraceHeaders, istioSpanName, type IdGenerator, type SpanNode, type TraceContext } from "./telemetry/tracing.ts";
import { ensureRequestId } from "./telemetry/request-id.ts";
import type { HeaderMap } from "./http/exchange.ts";
import type { Clock } from "./clock.ts";

export interface TelemetrySinks {
  metrics: IstioMetrics;
  accessLog: AccessLog;
  exporter?: OtlpExporter;
  ids: IdGenerator;
  node: SpanNode;
  wallClock: Clock;
  /** Share of new traces sampled, 0..100 (Istio's default is 1; Skein's demo samples all). */
  samplingPercent: number;
  random: () => number;
}

export interface RequestFacts {
  direction: "outbound" | "inbound";
  method: string;
  path: string;
  authority: string;
  protocol: string;
  grpc: boolean;
  status: number;
  grpcStatus?: number;
  flags: readonly ResponseFlag[];
  requestBytes: number;
  responseBytes: number;
  upstreamServiceTimeMs?: number;
  upstreamHost?: string;
  upstreamCluster?: string;
  attemptCount?: number;
  routeName?: string;
  downstreamAddress?: string;
  peerPrincipal?: string;
  serviceHost: string;
  servicePort: number;
}

/**
 * What every request leaves behind: Istio's metrics, one access-log line and a span.
 * `begin` runs before the request is forwarded (request id, trace context for the next
 * hop); `end` runs once the response is complete.
 */
export class RequestTelemetry {
  constructor(private readonly sinks: TelemetrySinks) {}

  /** A downstream connection opened or closed (skein_proxy_active_connections). */
  connectionOpened(direction: "outbound" | "inbound"): void {
    this.sinks.metrics.connectionOpened(direction);
  }

  connectionClosed(direction: "outbound" | "inbound"): void {
    this.sinks.metrics.connectionClosed(direction);
  }

  begin(headers: HeaderMap): { startMs: number; requestId: string; trace: TraceContext } {
    const startMs = this.sinks.wallClock.now();
    const requestId = ensureRequestId(headers);
    const incoming = extractTraceContext(headers);
    const trace = childContext(incoming, this.sinks.ids, this.sinks.random() * 100 < this.sinks.samplingPercent);
    injectTraceHeaders(trace, headers);
    return { startMs, requestId, trace };
  }

  end(started: { startMs: number; requestId: string; trace: TraceContext }, facts: RequestFacts, peer: PeerInfo, headers: HeaderMap): void {
    const endMs = this.sinks.wallClock.now();
    const flags = formatResponseFlags(facts.flags);
    const durationMs = endMs - started.startMs;
    this.sinks.metrics.recordRequest(peer, {
      protocol: facts.grpc ? "grpc" : "http",
      responseCode: facts.status,
      grpcStatus: facts.grpcStatus,
      responseFlags: flags,
      durationMs,
      requestBytes: facts.requestBytes,
      responseBytes: facts.responseBytes,
    });
    const str = (name: string) => {
      const v = headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    if (this.sinks.accessLog.enabled) this.sinks.accessLog.log({
      startTime: started.startMs,
      method: facts.method,
      path: facts.path,
      protocol: facts.protocol,
      responseCode: facts.status,
      responseFlags: flags,
      bytesReceived: facts.requestBytes,
      bytesSent: facts.responseBytes,
      durationMs: Math.round(durationMs),
      ...(facts.upstreamServiceTimeMs !== undefined ? { upstreamServiceTimeMs: Math.round(facts.upstreamServiceTimeMs) } : {}),
      ...(str("x-forwarded-for") ? { xForwardedFor: str("x-forwarded-for")! } : {}),
      ...(str("user-agent") ? { userAgent: str("user-agent")! } : {}),
      requestId: started.requestId,
      authority: facts.authority,
      ...(facts.upstreamHost ? { upstreamHost: facts.upstreamHost } : {}),
      ...(facts.upstreamCluster ? { upstreamCluster: facts.upstreamCluster } : {}),
      ...(facts.downstreamAddress ? { downstreamRemoteAddress: facts.downstreamAddress } : {}),
      ...(facts.attemptCount !== undefined ? { attemptCount: facts.attemptCount } : {}),
      ...(facts.peerPrincipal ? { downstreamPeerPrincipal: facts.peerPrincipal } : {}),
      ...(facts.routeName ? { routeName: facts.routeName } : {}),
      traceId: started.trace.traceId,
    });
    if (this.sinks.exporter && started.trace.sampled) {
      this.sinks.exporter.export(
        buildSpan({
          context: started.trace,
          kind: facts.direction === "outbound" ? "CLIENT" : "SERVER",
          name: istioSpanName(facts.serviceHost, facts.servicePort),
          startMs: started.startMs,
          endMs,
          method: facts.method,
          url: `http://${facts.authority}${facts.path}`,
          protocol: facts.protocol,
          statusCode: facts.status,
          responseFlags: flags,
          ...(facts.upstreamCluster ? { upstreamCluster: facts.upstreamCluster } : {}),
          requestId: started.requestId,
          ...(str("user-agent") ? { userAgent: str("user-agent")! } : {}),
          requestBytes: facts.requestBytes,
          responseBytes: facts.responseBytes,
          ...(facts.upstreamHost ? { peerAddress: facts.upstreamHost } : {}),
          node: this.sinks.node,
        }),
      );
    }
  }
}
