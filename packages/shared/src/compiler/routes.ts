import { parseDurationMs } from "../model/common.ts";
import type { Destination } from "../model/destination.ts";
import type { Headers } from "../model/headers.ts";
import type { HTTPMatchRequest } from "../model/http-match.ts";
import type { HTTPRetry } from "../model/http-retry.ts";
import type { HTTPRoute } from "../model/http-route.ts";
import type { StringMatch as IstioStringMatch } from "../model/string-match.ts";
import type { FaultPolicy, HeaderMatch, HeaderOperations, RetryPolicy, Route, RouteMatch, StringMatch, WeightedCluster } from "./snapshot.ts";

/** Who is asking: matches on source labels and namespace are decided at compile time, as Istio does. */
export interface RouteSource {
  labels: Readonly<Record<string, string>>;
  namespace: string;
}

/** Resolves a destination to a cluster name; the caller knows hosts, ports and subsets. */
export type ClusterNamer = (d: Destination) => string;

/**
 * Istio's default retry policy for every HTTP route without `retries`:
 * 2 attempts on connect-failure, refused-stream, unavailable, cancelled and 503.
 * https://istio.io/latest/docs/concepts/traffic-management/#retries
 */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 2,
  retryOn: ["connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"],
  retriableStatusCodes: [503],
  backoffBaseMs: 25,
  backoffMaxMs: 250,
};

export function compileRetry(r: HTTPRetry | undefined): RetryPolicy {
  if (r === undefined) return DEFAULT_RETRY;
  const attempts = r.attempts ?? 0;
  if (attempts <= 0) return { ...DEFAULT_RETRY, attempts: 0, retryOn: [], retriableStatusCodes: [] };
  const entries = (r.retryOn ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const codes = entries.filter((e) => /^\d+$/.test(e)).map(Number);
  const named = entries.filter((e) => !/^\d+$/.test(e));
  // Without retryOn Istio keeps its default conditions; numeric codes imply retriable-status-codes.
  const retryOn = entries.length === 0 ? DEFAULT_RETRY.retryOn : codes.length > 0 && !named.includes("retriable-status-codes") ? [...named, "retriable-status-codes"] : named;
  const base = r.backoff ? (parseDurationMs(r.backoff) ?? 25) : 25;
  return {
    attempts,
    ...(r.perTryTimeout ? { perTryTimeoutMs: parseDurationMs(r.perTryTimeout) ?? 0 } : {}),
    retryOn,
    retriableStatusCodes: entries.length === 0 ? DEFAULT_RETRY.retriableStatusCodes : codes,
    backoffBaseMs: base,
    // Envoy's max_interval defaults to 10x the base interval.
    backoffMaxMs: base * 10,
  };
}

function toStringMatch(m: IstioStringMatch | undefined): StringMatch | undefined {
  if (!m) return undefined;
  if (m.exact !== undefined) return { exact: m.exact };
  if (m.prefix !== undefined) return { prefix: m.prefix };
  if (m.regex !== undefined) return { regex: m.regex };
  return undefined;
}

function headerMatches(map: Record<string, IstioStringMatch> | undefined, invert: boolean): HeaderMatch[] {
  return Object.entries(map ?? {}).map(([name, m]) => {
    // withoutHeaders `regex: "*"` is Istio's spelling of "header absent".
    const sm = invert && m.regex === "*" ? undefined : toStringMatch(m);
    return { name: name.toLowerCase(), ...(sm ? { match: sm } : {}), ...(invert ? { invert: true } : {}) };
  });
}

/** Converts one match entry; undefined when it can never apply to this source (dropped, as Istio does). */
export function compileMatch(m: HTTPMatchRequest, source: RouteSource): RouteMatch | undefined {
  if (m.gateways && m.gateways.length > 0 && !m.gateways.includes("mesh")) return undefined;
  if (m.sourceLabels && !Object.entries(m.sourceLabels).every(([k, v]) => source.labels[k] === v)) return undefined;
  if (m.sourceNamespace && m.sourceNamespace !== source.namespace) return undefined;
  const out: RouteMatch = {
    headers: [...headerMatches(m.headers, false), ...headerMatches(m.withoutHeaders, true)],
    queryParams: Object.entries(m.queryParams ?? {}).map(([name, q]) => {
      const sm = toStringMatch(q);
      return { name, ...(sm ? { match: sm } : {}) };
    }),
    ignoreUriCase: m.ignoreUriCase ?? false,
  };
  const uri = toStringMatch(m.uri);
  if (uri) out.uri = uri;
  const method = toStringMatch(m.method);
  if (method) out.method = method;
  const authority = toStringMatch(m.authority);
  if (authority) out.authority = authority;
  const scheme = toStringMatch(m.scheme);
  if (scheme) out.scheme = scheme;
  if (m.port) out.port = m.port;
  return out;
}

function percentOf(p: { value?: number } | undefined, deprecated: number | undefined): number {
  return p?.value ?? deprecated ?? 100;
}

function compileFault(f: HTTPRoute["fault"]): FaultPolicy | undefined {
  if (!f) return undefined;
  const out: FaultPolicy = {};
  if (f.delay?.fixedDelay) out.delay = { fixedDelayMs: parseDurationMs(f.delay.fixedDelay) ?? 0, percentage: percentOf(f.delay.percentage, f.delay.percent) };
  if (f.abort) {
    out.abort = {
      ...(f.abort.httpStatus !== undefined ? { httpStatus: f.abort.httpStatus } : {}),
      ...(f.abort.grpcStatus !== undefined ? { grpcStatus: f.abort.grpcStatus } : {}),
      percentage: percentOf(f.abort.percentage, undefined),
    };
  }
  return out;
}

export function compileHeaders(h: Headers | undefined): HeaderOperations | undefined {
  if (!h) return undefined;
  const ops = (o: NonNullable<Headers["request"]> | undefined) =>
    o ? { ...(o.set ? { set: o.set } : {}), ...(o.add ? { add: o.add } : {}), ...(o.remove ? { remove: o.remove.map((r) => r.toLowerCase()) } : {}) } : undefined;
  const request = ops(h.request);
  const response = ops(h.response);
  return { ...(request ? { request } : {}), ...(response ? { response } : {}) };
}

/** Compiles one VirtualService HTTP route; undefined when none of its matches can apply to this source. */
export function compileHttpRoute(r: HTTPRoute, name: string, source: RouteSource, clusterOf: ClusterNamer): Route | undefined {
  const match: RouteMatch[] = [];
  for (const m of r.match ?? []) {
    const c = compileMatch(m, source);
    if (c) match.push(c);
  }
  if ((r.match ?? []).length > 0 && match.length === 0) return undefined;

  let action: Route["action"];
  if (r.redirect) {
    action = {
      type: "redirect",
      redirectCode: r.redirect.redirectCode ?? 301,
      ...(r.redirect.uri !== undefined ? { uri: r.redirect.uri } : {}),
      ...(r.redirect.authority !== undefined ? { authority: r.redirect.authority } : {}),
      ...(r.redirect.port !== undefined ? { port: r.redirect.port } : {}),
      ...(r.redirect.scheme !== undefined ? { scheme: r.redirect.scheme } : {}),
    };
  } else if (r.directResponse) {
    const b = r.directResponse.body;
    const body = b?.string ?? (b?.bytes !== undefined ? Buffer.from(b.bytes, "base64").toString("utf8") : undefined);
    action = { type: "directResponse", status: r.directResponse.status, ...(body !== undefined ? { body } : {}) };
  } else {
    const routes = r.route ?? [];
    const clusters: WeightedCluster[] = routes
      .filter((d) => d.destination)
      .map((d) => {
        const headers = compileHeaders(d.headers);
        // A single destination without weight takes all traffic (Istio's implicit 100).
        return { cluster: clusterOf(d.destination!), weight: d.weight ?? (routes.length === 1 ? 100 : 0), ...(headers ? { headers } : {}) };
      });
    action = { type: "route", clusters };
  }

  const mirrors = r.mirror
    ? [{ cluster: clusterOf(r.mirror), percentage: r.mirrorPercentage?.value ?? r.mirrorPercent ?? r.mirror_percent ?? 100 }]
    : (r.mirrors ?? []).filter((m) => m.destination).map((m) => ({ cluster: clusterOf(m.destination!), percentage: m.percentage?.value ?? 100 }));

  const route: Route = { name, match, action, retry: compileRetry(r.retries), mirrors };
  const timeoutMs = r.timeout ? parseDurationMs(r.timeout) : undefined;
  // Istio's timeout of 0s means "no timeout", which is also the default.
  if (timeoutMs) route.timeoutMs = timeoutMs;
  const fault = compileFault(r.fault);
  if (fault) route.fault = fault;
  const headers = compileHeaders(r.headers);
  if (headers) route.headers = headers;
  if (r.rewrite) {
    route.rewrite = {
      ...(r.rewrite.uri !== undefined ? { uri: r.rewrite.uri } : {}),
      ...(r.rewrite.authority !== undefined ? { authority: r.rewrite.authority } : {}),
      ...(r.rewrite.uriRegexRewrite?.match !== undefined ? { uriRegex: { match: r.rewrite.uriRegexRewrite.match, rewrite: r.rewrite.uriRegexRewrite.rewrite ?? "" } } : {}),
    };
  }
  if (r.corsPolicy) route.cors = r.corsPolicy as Record<string, unknown>;
  return route;
}
