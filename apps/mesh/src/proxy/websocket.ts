import { request as httpRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex, Readable } from "node:stream";
import { HOP_BY_HOP, type HeaderMap, type ProxyRequest, type ProxyResponse } from "./http/exchange.ts";
import { splice, writeResponseHead } from "./tcp-tunnel.ts";
import { UpstreamBody, readUpstreamBody } from "./http/upstream-body.ts";

/**
 * HTTP/1.1 Upgrade (WebSocket) through the sidecar, as Envoy's `upgrade_configs`
 * handle it: the upgrade request is routed like any request (route, fault, weighted
 * cluster, endpoint, retries before a response), and once the upstream answers 101 the
 * two connections are spliced and carry bytes until either closes. Any other answer is
 * relayed as a plain response.
 * https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/upgrades
 */

/** The fields upgrade requests and responses add to the exchange types. */
export interface UpgradeRequest extends ProxyRequest {
  /** The Upgrade header's protocol, e.g. "websocket". */
  upgrade?: string;
}

export interface UpgradedResponse extends ProxyResponse {
  /** After a 101: the upstream connection, now carrying the upgraded protocol. */
  upgraded?: Duplex;
}

export function upgradeOf(req: ProxyRequest): string | undefined {
  return (req as UpgradeRequest).upgrade;
}

/** The protocol a downstream request asks to upgrade to (CONNECT is the TCP proxy's, not ours). */
export function requestedUpgrade(req: IncomingMessage): string | undefined {
  const upgrade = req.headers.upgrade;
  const connection = String(req.headers.connection ?? "").toLowerCase();
  if (!upgrade || req.method === "CONNECT" || !connection.split(",").some((t) => t.trim() === "upgrade")) return undefined;
  return upgrade;
}

/**
 * Sends an upgrade request on a connection opened for it (an upgraded connection never
 * returns to a pool) and resolves with the 101 and the upgraded socket, or with whatever
 * else the upstream answered, its body streaming. node:http parses the answer: undici's
 * `upgrade()` rejects a non-101 answer ("bad upgrade"), losing it.
 */
export function upgradeUpstream(socket: Socket, opts: { method: string; path: string; headers: HeaderMap; upgrade: string }, signal: AbortSignal): Promise<UpgradedResponse> {
  return new Promise((resolve, reject) => {
    const headers: HeaderMap = { ...opts.headers, connection: "Upgrade", upgrade: opts.upgrade };
    const req = httpRequest({ method: opts.method, path: opts.path, headers, createConnection: () => socket });
    const onAbort = () => req.destroy(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    const settle = () => signal.removeEventListener("abort", onAbort);
    req.once("upgrade", (res: IncomingMessage, upgraded: Socket, head: Buffer) => {
      settle();
      if (head.length > 0) upgraded.unshift(head);
      resolve({ status: res.statusCode ?? 101, headers: upstreamHeaders(res.headers), body: null, upgraded });
    });
    req.once("response", (res: IncomingMessage) => {
      settle();
      res.on("error", () => undefined);
      resolve({ status: res.statusCode ?? 502, headers: upstreamHeaders(res.headers), body: res });
    });
    req.once("error", (e) => {
      settle();
      reject(signal.aborted ? signal.reason : e);
    });
    req.end();
  });
}

function upstreamHeaders(raw: Record<string, string | string[] | undefined>): HeaderMap {
  const out: HeaderMap = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k] = v;
  return out;
}

export interface UpgradeOutcome {
  /** Status sent downstream (101 when upgraded). */
  status: number;
  /** Bytes received from the downstream after the upgrade. */
  requestBytes: number;
  /** Bytes sent downstream: the upgraded stream, or the refused response's body. */
  responseBytes: number;
}

/** Largest body relayed for a refused upgrade; refusals are short error pages. */
const MAX_REFUSAL_BODY = 64 * 1024;

/**
 * Answers the downstream's upgrade request on its raw connection: after a 101 the
 * connections are spliced (and this resolves when both are closed); otherwise the
 * response is written with `connection: close`.
 */
export async function relayUpgrade(downstream: Duplex, head: Buffer, response: UpgradedResponse, onBytes?: { received(n: number): void; sent(n: number): void }): Promise<UpgradeOutcome> {
  const upstream = response.upgraded;
  if (response.status === 101 && upstream) {
    const headers: HeaderMap = { connection: "Upgrade" };
    for (const [k, v] of Object.entries(response.headers)) if (!HOP_BY_HOP.has(k) || k === "upgrade") headers[k] = v;
    writeResponseHead(downstream, 101, headers);
    if (head.length > 0) upstream.write(head);
    const outcome: UpgradeOutcome = { status: 101, requestBytes: head.length, responseBytes: 0 };
    await splice(downstream, upstream, {
      received: (n) => {
        outcome.requestBytes += n;
        onBytes?.received(n);
      },
      sent: (n) => {
        outcome.responseBytes += n;
        onBytes?.sent(n);
      },
    });
    return outcome;
  }
  upstream?.destroy();
  const body = await readCapped(response.body);
  const headers: HeaderMap = {};
  for (const [k, v] of Object.entries(response.headers)) if (!HOP_BY_HOP.has(k) && k !== "content-length") headers[k] = v;
  headers["content-length"] = String(body.length);
  headers.connection = "close";
  if (!downstream.destroyed) {
    writeResponseHead(downstream, response.status, headers);
    downstream.end(body);
  }
  return { status: response.status, requestBytes: 0, responseBytes: body.length };
}

async function readCapped(body: ProxyResponse["body"]): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof UpstreamBody) return readUpstreamBody(body, MAX_REFUSAL_BODY);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as Readable) {
      size += (chunk as Buffer).length;
      if (size > MAX_REFUSAL_BODY) break;
      chunks.push(chunk as Buffer);
    }
  } catch {
    // A body cut short still leaves a status worth relaying.
  }
  body.destroy();
  return Buffer.concat(chunks);
}
