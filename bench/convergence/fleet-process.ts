// A process of simulated sidecars for the convergence bench (forked with IPC by fleet.ts).
// Each sidecar holds a real stream (GET /xds/v1/stream with its Workload and join token,
// and `delta=1` unless the bench says otherwise, as apps/mesh/src/proxy/xds-client.ts
// does) and ACKs every snapshot or delta with POST /xds/v1/ack; it records when each
// arrived and when its ACK was accepted. It installs nothing: a real sidecar's apply runs
// on its own CPU, in parallel with the others.
import { Pool } from "undici";
import { monotonicMs, sidecarKey, START_UP, type FleetSidecar, type FromFleet, type SnapshotRecord, type ToFleet } from "./protocol.ts";
import { SseScanner, type ScannedEvent } from "./sse-scanner.ts";

/** Streams opening at once: each costs the control plane a compile before it answers. */
const OPENING_AT_ONCE = 32;

let streams: Pool | undefined;
let acks: Pool | undefined;
let bucket = START_UP;
const records = new Map<number, SnapshotRecord[]>([[START_UP, []]]);
let pending = new Set<string>();
let lastEventAt = monotonicMs();
let acksInFlight = 0;
const disconnected = new Set<string>();
let closing = false;

const send = (m: FromFleet) => process.send?.(m);

process.on("message", (m: ToFleet) => {
  handle(m).catch((e: Error) => send({ type: "error", message: e.stack ?? e.message }));
});
// The bench went away (even killed): so does its fleet.
process.on("disconnect", () => process.exit(0));

async function handle(m: ToFleet): Promise<void> {
  switch (m.type) {
    case "connect":
      return connect(m.controlPlane, m.sidecars, m.streamConnections, m.ackConnections, m.deltas);
    case "mark":
      bucket = m.change;
      records.set(bucket, []);
      pending = new Set(m.expected);
      send({ type: "marked", change: m.change });
      if (pending.size === 0) send({ type: "settled", change: m.change });
      return;
    case "collect":
      return collect(m.change, m.quietMs, m.maxWaitMs);
    case "close":
      closing = true;
      await Promise.allSettled([streams?.destroy(), acks?.destroy()]);
      process.exit(0);
  }
}

async function connect(controlPlane: string, sidecars: FleetSidecar[], streamConnections: number, ackConnections: number, deltas: boolean): Promise<void> {
  // One connection per stream (an SSE response holds its connection) and a small pool for ACKs.
  streams ??= new Pool(controlPlane, { connections: streamConnections, headersTimeout: 120_000, bodyTimeout: 0 });
  acks ??= new Pool(controlPlane, { connections: ackConnections, headersTimeout: 60_000 });
  const failed: string[] = [];
  const firstAck = new Map<string, () => void>();
  const acked = sidecars.map((s) => new Promise<void>((resolve) => firstAck.set(sidecarKey(s.workload), resolve)));
  let next = 0;
  const opener = async () => {
    while (next < sidecars.length) {
      const s = sidecars[next++]!;
      const key = sidecarKey(s.workload);
      try {
        await openStream(s, deltas, () => firstAck.get(key)?.());
      } catch (e) {
        failed.push(`${key}: ${(e as Error).message}`);
        firstAck.get(key)?.();
      }
    }
  };
  await Promise.all(Array.from({ length: OPENING_AT_ONCE }, opener));
  await Promise.all(acked);
  send({ type: "connected", sidecars: sidecars.length - failed.length, failed });
}

/** Resolves once the stream is open; `onFirstAck` is called when its first snapshot is ACKed. */
async function openStream(s: FleetSidecar, deltas: boolean, onFirstAck: () => void): Promise<void> {
  const key = sidecarKey(s.workload);
  const path = `/xds/v1/stream?workload=${encodeURIComponent(JSON.stringify(s.workload))}${deltas ? "&delta=1" : ""}`;
  const res = await streams!.request({ method: "GET", path, headers: { authorization: `Bearer ${s.token}`, accept: "text/event-stream" } });
  if (res.statusCode !== 200) throw new Error(`stream answered ${res.statusCode}: ${(await res.body.text()).slice(0, 300)}`);
  let first = true;
  const scanner = new SseScanner((e) => {
    if (e.event !== "snapshot" && e.event !== "delta") return;
    void onSnapshot(s, key, e).then((ok) => {
      if (ok && first) {
        first = false;
        onFirstAck();
      }
    });
  });
  res.body.on("data", (chunk: Buffer) => scanner.push(chunk));
  const gone = () => {
    if (!closing) disconnected.add(key);
  };
  res.body.once("end", gone);
  res.body.once("error", gone);
}

async function onSnapshot(s: FleetSidecar, key: string, e: ScannedEvent): Promise<boolean> {
  const record: SnapshotRecord = { sidecar: key, version: e.version ?? "", bytes: e.bytes, delta: e.event === "delta", receivedAt: monotonicMs() };
  const of = bucket;
  records.get(of)!.push(record);
  lastEventAt = record.receivedAt;
  acksInFlight++;
  try {
    const res = await acks!.request({
      method: "POST",
      path: "/xds/v1/ack",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
      body: JSON.stringify({ version: record.version }),
    });
    record.ackStatus = res.statusCode;
    if (res.statusCode === 204) record.ackedAt = monotonicMs();
    await res.body.dump();
  } catch {
    record.ackStatus = 0;
  } finally {
    acksInFlight--;
    lastEventAt = monotonicMs();
  }
  if (record.ackedAt === undefined) return false;
  if (of === bucket && pending.delete(key) && pending.size === 0) send({ type: "settled", change: of });
  return true;
}

async function collect(change: number, quietMs: number, maxWaitMs: number): Promise<void> {
  const deadline = monotonicMs() + maxWaitMs;
  const isQuiet = () => acksInFlight === 0 && monotonicMs() - lastEventAt >= quietMs;
  while (!isQuiet() && monotonicMs() < deadline) await new Promise((r) => setTimeout(r, Math.min(50, quietMs / 4)));
  const quiet = isQuiet();
  send({ type: "collected", change, records: records.get(change) ?? [], disconnected: [...disconnected], quiet });
  // Start-up records are many and no longer needed once read.
  if (change === START_UP) records.set(START_UP, []);
}
