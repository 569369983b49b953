import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { applySnapshotDelta, validateSources, type ProxySnapshot, type Resource, type SnapshotDelta, type Workload } from "@skein/shared";
import { ManualClock } from "../proxy/clock.ts";
import { HttpError } from "./http.ts";
import { PushServer, type ConfigSource, type PushOptions } from "./push.ts";
import { WorkloadRegistry } from "./registry.ts";

/** Just what openEventStream and PushServer use of a ServerResponse; records the events written. */
class FakeResponse extends EventEmitter {
  readonly events: { event: string; data: unknown }[] = [];
  writableNeedDrain = false;
  ended = false;
  socket = null;
  writeHead(): this {
    return this;
  }
  flushHeaders(): void {}
  /** Bytes written but not yet a whole event: an event may come in more than one write. */
  private partial = "";
  write(chunk: string | Buffer): boolean {
    this.partial += chunk.toString();
    let end = this.partial.indexOf("\n\n");
    while (end >= 0) {
      const m = /^event: (.*)\ndata: (.*)$/s.exec(this.partial.slice(0, end))!;
      this.events.push({ event: m[1]!, data: JSON.parse(m[2]!) });
      this.partial = this.partial.slice(end + 2);
      end = this.partial.indexOf("\n\n");
    }
    return !this.writableNeedDrain;
  }
  end(): void {
    this.ended = true;
    this.emit("close");
  }
  get snapshots(): ProxySnapshot[] {
    return this.events.filter((e) => e.event === "snapshot").map((e) => (e.data as { snapshot: ProxySnapshot }).snapshot);
  }
  asResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }
}

class Store implements ConfigSource {
  private resources: Resource[] = [];
  private readonly listeners: (() => void)[] = [];
  current() {
    return this.resources;
  }
  onChange(l: () => void) {
    this.listeners.push(l);
  }
  set(yaml: string) {
    this.resources = yaml === "" ? [] : validateSources([{ file: "t.yaml", text: yaml }]).resources.map((l) => l.resource);
    for (const l of this.listeners) l();
  }
}

const strictFor = (app: string) => `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${app}}
spec:
  selector: {matchLabels: {app: ${app}}}
  mtls: {mode: STRICT}
`;

function wl(name: string, app: string, extra: Partial<Workload> = {}): Workload {
  return { name, namespace: "default", serviceAccount: app, labels: { app }, service: { name: app, ports: [{ port: 9080, name: "http" }] }, address: "127.0.0.1", inboundPort: 15006, ...extra };
}
const claimOf = (w: Workload) => ({ namespace: w.namespace, serviceAccount: w.serviceAccount, workload: w.name });

function setup(options: Partial<PushOptions> = {}) {
  const clock = new ManualClock(1_000_000);
  const store = new Store();
  const registry = new WorkloadRegistry({ graceMs: 1_000, timers: clock });
  const push = new PushServer({ config: store, registry, trustDomain: "cluster.local", timers: clock, clock, wallClock: clock, pingMs: 15_000, ...options });
  const open = (w: Workload, served?: string, deltas = false) => {
    const res = new FakeResponse();
    push.open(claimOf(w), w, res.asResponse(), served, deltas);
    return res;
  };
  /** Lets the debounced push run. */
  const settle = () => clock.advance(1_000);
  return { clock, store, registry, push, open, settle };
}

describe("PushServer", () => {
  it("sends a connecting sidecar its snapshot at once, for its own workload", () => {
    const { open } = setup();
    const res = open(wl("reviews-v1", "reviews"));
    expect(res.snapshots).toHaveLength(1);
    expect(res.snapshots[0]!.workload).toMatchObject({ name: "reviews-v1", spiffeId: "spiffe://cluster.local/ns/default/sa/reviews" });
    expect(res.events[0]!.data).toMatchObject({ version: res.snapshots[0]!.version });
  });

  it("debounces a burst of changes into one push and sends nothing when the snapshot did not change", () => {
    const { open, store, clock, settle } = setup();
    const res = open(wl("reviews-v1", "reviews"));
    settle();
    store.set(strictFor("reviews"));
    store.set(strictFor("other"));
    store.set(strictFor("reviews"));
    clock.advance(19);
    expect(res.snapshots).toHaveLength(1);
    clock.advance(1);
    expect(res.snapshots).toHaveLength(2);
    expect(res.snapshots[1]!.inbound.mtls.mode).toBe("STRICT");
    store.set(strictFor("reviews"));
    settle();
    expect(res.snapshots).toHaveLength(2);
  });

  it("holds a steady stream of changes back no longer than the maximum delay", () => {
    const { open, store, clock, settle } = setup();
    const res = open(wl("reviews-v1", "reviews"));
    settle();
    // A change every 10 ms never leaves the 20 ms quiet time the debounce waits for.
    let pushedAt: number | undefined;
    for (let t = 0; t < 400 && pushedAt === undefined; t += 10) {
      store.set(strictFor("reviews"));
      clock.advance(10);
      if (res.snapshots.length > 1) pushedAt = t + 10;
    }
    expect(pushedAt).toBe(200);
  });

  it("sends only the sidecars whose snapshot changed", () => {
    const { open, store, settle } = setup();
    const reviews = open(wl("reviews-v1", "reviews"));
    const ratings = open(wl("ratings-v1", "ratings"));
    settle();
    const before = { reviews: reviews.snapshots.length, ratings: ratings.snapshots.length };
    store.set(strictFor("ratings"));
    settle();
    expect(reviews.snapshots).toHaveLength(before.reviews);
    expect(ratings.snapshots).toHaveLength(before.ratings + 1);
  });

  it("gives replicas the same config under their own name and version", () => {
    const { open, settle } = setup();
    const a = open(wl("reviews-a", "reviews", { inboundPort: 1 }));
    const b = open(wl("reviews-b", "reviews", { inboundPort: 2 }));
    settle();
    const [sa, sb] = [a.snapshots.at(-1)!, b.snapshots.at(-1)!];
    expect(sa.workload.name).toBe("reviews-a");
    expect(sb.workload.name).toBe("reviews-b");
    expect(sa.version).not.toBe(sb.version);
    expect({ ...sa, workload: undefined, version: undefined }).toEqual({ ...sb, workload: undefined, version: undefined });
  });

  it("records ACKs and NACKs, and an ACK clears the NACK", () => {
    const { open, push, clock } = setup();
    const w = wl("reviews-v1", "reviews");
    const version = open(w).snapshots[0]!.version;
    push.ack(claimOf(w), { version: "bad", error: "regex does not compile" });
    expect(push.proxyStatuses()).toEqual([
      { workload: "reviews-v1", namespace: "default", connected: true, sentVersion: version, nack: { version: "bad", error: "regex does not compile", at: new Date(clock.now()).toISOString() }, lastSeen: new Date(clock.now()).toISOString() },
    ]);
    push.ack(claimOf(w), { version });
    expect(push.proxyStatuses()[0]).toMatchObject({ ackedVersion: version, sentVersion: version });
    expect(push.proxyStatuses()[0]!.nack).toBeUndefined();
  });

  it("shows the certificate a sidecar was issued", () => {
    const { push, open } = setup();
    const w = wl("reviews-v1", "reviews");
    push.certificateIssued(claimOf(w), "spiffe://cluster.local/ns/default/sa/reviews", Date.UTC(2030, 0, 1));
    open(w);
    expect(push.proxyStatuses()[0]).toMatchObject({ identity: "spiffe://cluster.local/ns/default/sa/reviews", certificateExpiry: "2030-01-01T00:00:00.000Z" });
  });

  it("refuses a stream for another workload than the join token's", () => {
    const { push } = setup();
    const w = wl("reviews-v1", "reviews");
    const res = new FakeResponse();
    const attempt = () => push.open({ ...claimOf(w), serviceAccount: "admin" }, w, res.asResponse());
    expect(attempt).toThrow(HttpError);
    expect(attempt).toThrow(/join token is for workload default\/reviews-v1 \(service account admin\)/);
    expect(res.events).toEqual([]);
  });

  it("replaces an open stream of the same workload without deregistering it", () => {
    const { open, registry, push, settle } = setup();
    let changes = 0;
    registry.onChange(() => changes++);
    const first = open(wl("reviews-v1", "reviews"));
    const second = open(wl("reviews-v1", "reviews"));
    settle();
    expect(first.ended).toBe(true);
    expect(second.snapshots).toHaveLength(1);
    expect(changes).toBe(1);
    expect(push.proxyStatuses()[0]!.connected).toBe(true);
  });

  it("marks a closed stream disconnected and forgets the sidecar once it is deregistered", () => {
    const { open, push, clock } = setup();
    const res = open(wl("reviews-v1", "reviews"));
    res.end();
    expect(push.proxyStatuses()[0]!.connected).toBe(false);
    clock.advance(1_000);
    expect(push.proxyStatuses()).toEqual([]);
  });

  it("shows the version a reconnecting sidecar serves from its cache until it ACKs another", () => {
    const { open, push } = setup();
    const res = open(wl("reviews-v1", "reviews"), "cached-version");
    expect(push.proxyStatuses()[0]).toMatchObject({ ackedVersion: "cached-version", sentVersion: res.snapshots[0]!.version });
  });

  it("gives a slow reader only the newest snapshot once its socket drains", () => {
    const { open, store, settle } = setup();
    const res = open(wl("reviews-v1", "reviews"));
    settle();
    res.writableNeedDrain = true;
    store.set(strictFor("reviews"));
    settle();
    store.set(strictFor("reviews").replace("STRICT", "DISABLE"));
    settle();
    expect(res.snapshots).toHaveLength(1);
    res.writableNeedDrain = false;
    res.emit("drain");
    expect(res.snapshots).toHaveLength(2);
    expect(res.snapshots[1]!.inbound.mtls.mode).toBe("DISABLE");
  });

  it("pings every open stream", () => {
    const { open, clock } = setup();
    const res = open(wl("reviews-v1", "reviews"));
    clock.advance(30_000);
    expect(res.events.filter((e) => e.event === "ping")).toHaveLength(2);
  });
});

const canary = (v2: number) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews, subset: v1}, weight: ${100 - v2}}, {destination: {host: reviews, subset: v2}, weight: ${v2}}]
`;

describe("PushServer deltas", () => {
  /** The snapshots a sidecar holds after each event, applying deltas as xds-client does. */
  function held(res: FakeResponse): ProxySnapshot[] {
    const out: ProxySnapshot[] = [];
    for (const e of res.events) {
      if (e.event === "snapshot") out.push((e.data as { snapshot: ProxySnapshot }).snapshot);
      if (e.event === "delta") {
        const d = e.data as { version: string; base: string; delta: SnapshotDelta };
        expect(d.base).toBe(out.at(-1)!.version);
        out.push(applySnapshotDelta(out.at(-1)!, d.version, d.delta));
      }
    }
    return out;
  }
  /** Callers in their own namespace, and the reviews service they call. */
  const caller = (name: string, labels: Record<string, string> = { app: "productpage" }) => wl(name, "productpage", { namespace: "shop", labels });

  it("sends a sidecar that takes deltas only what changed, and it ends up with the same snapshot", () => {
    const { open, store, settle } = setup();
    store.set(canary(0));
    open(wl("reviews-v1", "reviews"));
    const withDeltas = open(caller("productpage-a"), undefined, true);
    const whole = open(caller("productpage-b"));
    settle();
    const before = withDeltas.events.length;
    store.set(canary(30));
    settle();
    expect(withDeltas.events.slice(before).map((e) => e.event)).toEqual(["delta"]);
    const delta = (withDeltas.events.at(-1)!.data as { delta: SnapshotDelta }).delta;
    expect([delta.virtualHosts.map((vh) => vh.name), Object.keys(delta.clusters)]).toEqual([["reviews.default.svc.cluster.local:9080"], []]);
    expect(whole.events.at(-1)!.event).toBe("snapshot");
    const [a, b] = [held(withDeltas).at(-1)!, whole.snapshots.at(-1)!];
    expect({ ...a, workload: undefined, version: undefined }).toEqual({ ...b, workload: undefined, version: undefined });
    expect(a.version).toBe((withDeltas.events.at(-1)!.data as { version: string }).version);
    expect(JSON.stringify(withDeltas.events.at(-1)!.data).length).toBeLessThan(JSON.stringify(whole.events.at(-1)!.data).length / 2);
  });

  it("sends the whole snapshot after the sidecar NACKed the one it was sent", () => {
    const { open, store, settle, push } = setup();
    store.set(canary(0));
    open(wl("reviews-v1", "reviews"));
    const w = caller("productpage-a");
    const res = open(w, undefined, true);
    settle();
    store.set(canary(10));
    settle();
    push.ack(claimOf(w), { version: held(res).at(-1)!.version, error: "cannot apply" });
    store.set(canary(20));
    settle();
    expect(res.events.map((e) => e.event).slice(-3)).toEqual(["snapshot", "delta", "snapshot"]);
  });

  it("regroups sidecars when a selector starts reading a label, and pushes only those it selects", () => {
    const { open, store, settle } = setup();
    store.set(canary(0));
    open(wl("reviews-v1", "reviews"));
    const v1 = open(caller("productpage-v1", { app: "productpage", version: "v1" }));
    const v2 = open(caller("productpage-v2", { app: "productpage", version: "v2" }));
    settle();
    const before = [v1.snapshots.length, v2.snapshots.length];
    store.set(`${canary(0)}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-from-v2, namespace: shop}
spec:
  host: reviews.default.svc.cluster.local
  workloadSelector: {matchLabels: {version: v2}}
  trafficPolicy: {loadBalancer: {simple: RANDOM}}
`);
    settle();
    expect([v1.snapshots.length, v2.snapshots.length]).toEqual([before[0], before[1]! + 1]);
    expect(v2.snapshots.at(-1)!.clusters["outbound|9080||reviews.default.svc.cluster.local"]!.lb).toEqual({ type: "RANDOM" });
  });

  it("yields after the bytes it may write at once, and a newer push takes over from one still going", () => {
    const deferred: (() => void)[] = [];
    const runDeferred = () => {
      while (deferred.length > 0) deferred.shift()!();
    };
    const { open, store, settle, clock } = setup({ yieldAfterBytes: 1, defer: (fn) => deferred.push(fn) });
    const streams = [open(wl("reviews-v1", "reviews")), ...["a", "b", "c"].map((app) => open(wl(`${app}-v1`, app, { namespace: "shop" })))];
    settle();
    runDeferred();
    const pushed = (() => {
      const start = streams.map((s) => s.snapshots.length);
      return () => streams.map((s, i) => s.snapshots.length - start[i]!);
    })();
    store.set(canary(10));
    clock.advance(20);
    expect(pushed()).toEqual([1, 0, 0, 0]);
    store.set(canary(20));
    // The push under way goes on with the newest config.
    deferred.shift()!();
    expect(pushed()).toEqual([1, 1, 0, 0]);
    clock.advance(20);
    // The newer push starts over; the older one stops; a stream that has the newest config is skipped.
    expect(pushed()).toEqual([2, 1, 0, 0]);
    runDeferred();
    expect(pushed()).toEqual([2, 1, 1, 1]);
    const split = (s: FakeResponse) => s.snapshots.at(-1)!.outbound.virtualHosts.find((vh) => vh.name.startsWith("reviews."))!.routes[0]!.action;
    for (const s of streams) expect(split(s)).toMatchObject({ clusters: [{ weight: 80 }, { weight: 20 }] });
  });
});
