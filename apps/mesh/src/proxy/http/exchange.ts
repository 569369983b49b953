import type { Readable } from "node:stream";
import type { UpstreamBody } from "./upstream-body.ts";
import type { Route, VirtualHost } from "@skein/shared";
import type { ClusterRuntime } from "../cluster/cluster-runtime.ts";
import type { EndpointState } from "../upstream/endpoint-state.ts";
import type { ResponseFlag } from "../response-flags.ts";

export type HeaderMap = Record<string, string | string[]>;

/**
 * One request as it travels through the sidecar's layers. Layers read and write only the
 * fields they own; the body is buffered so retries and mirrors can resend it.
 */
export interface ProxyRequest {
  method: string;
  /** Path with query, as it will be sent upstream (after any rewrite). */
  path: string;
  /** Host / :authority, as it will be sent upstream. */
  authority: string;
  scheme: "http" | "https";
  /** Lower-case names, hop-by-hop headers removed. */
  headers: HeaderMap;
  body: Buffer | null;
  grpc: boolean;
  /** Aborted when the downstream goes away; layers chain their own timeouts onto it. */
  signal: AbortSignal;
  /** The service port the caller addressed (from Host, or the virtual host's port). */
  port: number;
  /** The app's address as the sidecar saw it: the key for source-IP consistent hashing. */
  downstreamAddress: string;
  /** Set by the route layer. */
  virtualHost?: VirtualHost;
  route?: Route;
  /** Set by the weighted-cluster layer. */
  cluster?: ClusterRuntime;
  /** Set by the endpoint layer for the current attempt. */
  host?: EndpointState;
  /** Envoy's response flags gathered so far. */
  flags: ResponseFlag[];
  /** 1 for the first try; written to x-envoy-attempt-count. */
  attempt: number;
  /** Milliseconds spent waiting for the upstream's response headers, last attempt. */
  upstreamServiceTimeMs?: number;
}

export interface ProxyResponse {
  status: number;
  headers: HeaderMap;
  /** Streaming from the upstream (HTTP/1.1 pools: UpstreamBody; HTTP/2 and upgrades: Readable), or a local body. */
  body: UpstreamBody | Readable | Buffer | null;
  /** Trailers arrive after the body (gRPC); filled in by the sender when the body ends. */
  trailers?: () => HeaderMap | undefined;
}

export type Handler = (req: ProxyRequest) => Promise<ProxyResponse>;
export type Layer = (inner: Handler) => Handler;

/** Wires layers once at start-up; read top to bottom, the first layer sees the request first. */
export function compose(layers: readonly Layer[], innermost: Handler): Handler {
  return layers.reduceRight<Handler>((inner, layer) => layer(inner), innermost);
}

export function localReply(status: number, body: string, headers: HeaderMap = {}): ProxyResponse {
  const buf = Buffer.from(body);
  return { status, headers: { "content-type": "text/plain", "content-length": String(buf.length), ...headers }, body: buf };
}

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1). */
export const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "trailer", "proxy-authorization", "proxy-authenticate", "host"]);

export function firstHeader(h: HeaderMap, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
