// Messages between the convergence bench and its fleet processes (IPC), and the clock
// both sides stamp events with.
import type { Workload } from "@skein/shared";

export interface FleetSidecar {
  workload: Workload;
  /** Join token minted for this workload. */
  token: string;
}

/** One snapshot a simulated sidecar received, and when its ACK was accepted. */
export interface SnapshotRecord {
  /** `namespace/name`. */
  sidecar: string;
  version: string;
  /** Bytes of the SSE event's data. */
  bytes: number;
  /** A `delta` event rather than a whole `snapshot`. */
  delta: boolean;
  receivedAt: number;
  /** When POST /xds/v1/ack answered 204; absent if it has not (yet) or did not. */
  ackedAt?: number;
  ackStatus?: number;
}

export type ToFleet =
  /** Opens these sidecars' streams; `streamConnections` is how many this fleet will hold in all; `deltas`: they ask for delta events. */
  | { type: "connect"; controlPlane: string; sidecars: FleetSidecar[]; streamConnections: number; ackConnections: number; deltas: boolean }
  /** From now on, snapshots belong to `change`; `expected` lists this fleet's sidecars it should reach. */
  | { type: "mark"; change: number; expected: string[] }
  /** The records of `change`, once no snapshot has arrived for `quietMs`. */
  | { type: "collect"; change: number; quietMs: number; maxWaitMs: number }
  | { type: "close" };

export type FromFleet =
  | { type: "connected"; sidecars: number; failed: string[] }
  | { type: "marked"; change: number }
  /** Every expected sidecar has ACKed a snapshot of `change`. */
  | { type: "settled"; change: number }
  | { type: "collected"; change: number; records: SnapshotRecord[]; disconnected: string[]; quiet: boolean }
  | { type: "error"; message: string };

/** Which change the snapshots during start-up (connections, initial pushes) belong to. */
export const START_UP = -1;

/**
 * Milliseconds on CLOCK_MONOTONIC (process.hrtime), which every process on the machine
 * reads alike: the bench's "apply returned" and a fleet's "ACK accepted" compare directly.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export const sidecarKey = (w: { namespace: string; name: string }) => `${w.namespace}/${w.name}`;
