/**
 * The console's live feed (`GET /api/v1/events`), server-sent events: `config` when a
 * change set is committed, `proxy` when a sidecar's status changes, and `ping` on connect
 * and every 15 s, so proxies between keep the stream open and the console sees a dead one.
 * The sources are injected subscribe functions; a client that goes away, or falls too far
 * behind, is unsubscribed and its timer cancelled.
 */
import type { ConfigEvent, ProxyStatus } from "@skein/shared";
import { realTimers, type TimerFactory, type TimerHandle } from "../proxy/clock.ts";
import { openEventStream, type RequestContext, type RouteDef } from "./http.ts";

export const EVENTS_PATH = "/api/v1/events";

export type Unsubscribe = () => void;

export interface EventDeps {
  subscribeConfig(listener: (event: ConfigEvent) => void): Unsubscribe;
  subscribeProxy(listener: (event: ProxyStatus) => void): Unsubscribe;
  timers?: TimerFactory;
  /** Default 15 s. */
  pingIntervalMs?: number;
  /**
   * Bytes a client may leave unread before it is disconnected (EventSource reconnects):
   * one stuck browser must not make the control plane buffer without bound. Default 1 MiB.
   */
  maxBufferedBytes?: number;
}

/** Serves one client's stream until it goes away; returns at once (the router writes nothing more). */
export function serveEvents(ctx: Pick<RequestContext, "res">, deps: EventDeps): void {
  const { res } = ctx;
  const timers = deps.timers ?? realTimers;
  const interval = deps.pingIntervalMs ?? 15_000;
  const maxBuffered = deps.maxBufferedBytes ?? 1024 * 1024;
  const stream = openEventStream(res);
  const unsubscribes: Unsubscribe[] = [];
  let timer: TimerHandle | undefined;
  let closed = false;

  const close = () => {
    if (closed) return;
    closed = true;
    timer?.cancel();
    timer = undefined;
    for (const u of unsubscribes.splice(0)) u();
    res.off("close", close);
  };
  const send = (event: string, data: unknown) => {
    if (closed) return;
    stream.send(event, data);
    if (res.writableLength > maxBuffered) {
      close();
      res.destroy();
    }
  };
  const ping = () => {
    timer = undefined;
    send("ping", {});
    if (!closed) timer = timers.setTimeout(ping, interval);
  };

  res.on("close", close);
  res.on("error", close);
  unsubscribes.push(deps.subscribeConfig((e) => send("config", e)));
  unsubscribes.push(deps.subscribeProxy((e) => send("proxy", e)));
  // A source may have answered synchronously with a client already gone.
  if (closed) for (const u of unsubscribes.splice(0)) u();
  // The first ping tells the client its subscriptions are live.
  ping();
}

export function eventRoutes(deps: EventDeps): RouteDef[] {
  return [
    {
      method: "GET",
      path: EVENTS_PATH,
      auth: "none",
      handler: async (ctx) => {
        serveEvents(ctx, deps);
        return undefined;
      },
    },
  ];
}
