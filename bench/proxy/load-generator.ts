// The load generator: its own process (forked by load.ts), so its CPU is not the
// proxies'. It sends GET requests with undici's low-level dispatch() (no promise or
// header object per response) over keep-alive connections, in one of two shapes:
// - closed loop: `connections` requests always in flight, for maximum throughput;
// - open loop: a fixed rate whatever the responses do (a slow response does not delay
//   the next send), for latency. Latency runs from the send to the end of the body.
import { performance } from "node:perf_hooks";
import { Pool, type Dispatcher } from "undici";
import type { ClosedLoopResult, LoadCommand, LoadTarget, OpenLoopResult } from "./load.ts";

const target = JSON.parse(process.argv[2]!) as LoadTarget;
const pool = new Pool(target.origin, { connections: target.maxConnections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
const options: Dispatcher.DispatchOptions = { method: "GET", path: target.path, headers: { host: target.host } };

// undici's own handler interface (onConnect/onHeaders/...): no header parsing per response.
interface RawHandler {
  onConnect(abort: () => void): void;
  onHeaders(status: number): boolean;
  onData(): boolean;
  onComplete(): void;
  onError(e: Error): void;
}

function closedLoop(seconds: number, connections: number): Promise<ClosedLoopResult> {
  return new Promise((resolve) => {
    let ok = 0;
    let failed = 0;
    let firstError: string | undefined;
    let active = connections;
    const fail = (why: string) => {
      failed++;
      firstError ??= why;
    };
    const start = performance.now();
    const end = start + seconds * 1000;
    // One handler per connection, reused for each of its requests.
    const startWorker = () => {
      let status = 0;
      const handler: RawHandler = {
        onConnect() {},
        onHeaders(s) {
          status = s;
          return true;
        },
        onData: () => true,
        onComplete() {
          if (status === 200) ok++;
          else fail(`status ${status}`);
          next();
        },
        onError(e) {
          fail(e.message);
          next();
        },
      };
      const next = () => {
        if (performance.now() >= end) {
          if (--active === 0) resolve({ requests: ok, failed, seconds: (performance.now() - start) / 1000, ...(firstError ? { firstError } : {}) });
          return;
        }
        // Not from inside undici's callback: let it finish its bookkeeping first.
        queueMicrotask(() => pool.dispatch(options, handler as unknown as Dispatcher.DispatchHandler));
      };
      next();
    };
    for (let i = 0; i < connections; i++) startWorker();
  });
}

function openLoop(seconds: number, rate: number): Promise<OpenLoopResult> {
  return new Promise((resolve) => {
    const total = Math.round(seconds * rate);
    const latencies = new Float64Array(total);
    const intervalMs = 1000 / rate;
    let sent = 0;
    let finished = 0;
    let ok = 0;
    let failed = 0;
    let firstError: string | undefined;
    let maxLagMs = 0;
    const fail = (why: string) => {
      failed++;
      firstError ??= why;
    };
    const start = performance.now();
    const finish = () => {
      if (++finished < total) return;
      const elapsed = (performance.now() - start) / 1000;
      const sorted = latencies.slice(0, ok).sort();
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
      resolve({ requests: ok, failed, seconds: elapsed, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN, maxSendLagMs: maxLagMs, ...(firstError ? { firstError } : {}) });
    };
    const send = () => {
      const sentAt = performance.now();
      let status = 0;
      pool.dispatch(options, {
        onConnect() {},
        onHeaders(s: number) {
          status = s;
          return true;
        },
        onData: () => true,
        onComplete() {
          if (status === 200) latencies[ok++] = performance.now() - sentAt;
          else fail(`status ${status}`);
          finish();
        },
        onError(e: Error) {
          fail(e.message);
          finish();
        },
      } as unknown as Dispatcher.DispatchHandler);
    };
    // Timers fire at best each millisecond: on each wake-up, send every request that is due.
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * intervalMs <= now) {
        maxLagMs = Math.max(maxLagMs, now - (start + sent * intervalMs));
        sent++;
        send();
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
    };
    tick();
  });
}

process.on("message", (cmd: LoadCommand) => {
  const run = cmd.type === "closed" ? closedLoop(cmd.seconds, cmd.connections) : cmd.type === "open" ? openLoop(cmd.seconds, cmd.rate) : undefined;
  if (!run) return void pool.destroy().finally(() => process.exit(0));
  void run.then((r) => process.send!(r));
});
process.send!({ ready: true });
