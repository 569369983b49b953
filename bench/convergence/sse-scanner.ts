// Splits a server-sent-events byte stream into events without decoding it: a simulated
// sidecar needs only an event's name and its snapshot version, which lead the event
// (`event: snapshot\ndata: {"version":"…",…`, and so for `delta`). Decoding and parsing half a megabyte per
// snapshot for a thousand sidecars would measure this process, not the control plane.

const NL = 0x0a;
/** Enough for `event: snapshot\ndata: {"version":"<16 hex>"`. */
const HEAD_BYTES = 96;

export interface ScannedEvent {
  event: string;
  /** The `version` the data starts with, if any. */
  version: string | undefined;
  /** The event's size on the wire, framing included. */
  bytes: number;
}

export class SseScanner {
  private head: Buffer[] = [];
  private headBytes = 0;
  private size = 0;
  /** The previous chunk ended in "\n": a "\n" first in the next one ends the event. */
  private pendingNewline = false;

  constructor(private readonly onEvent: (e: ScannedEvent) => void) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      let last: number;
      if (this.pendingNewline && chunk[pos] === NL) last = pos;
      else {
        const i = chunk.indexOf("\n\n", pos);
        last = i < 0 ? -1 : i + 1;
      }
      const stop = last < 0 ? chunk.length : last + 1;
      this.take(chunk, pos, stop);
      if (last < 0) {
        this.pendingNewline = chunk[chunk.length - 1] === NL;
        return;
      }
      this.pendingNewline = false;
      this.emit();
      pos = stop;
    }
  }

  private take(chunk: Buffer, from: number, to: number): void {
    this.size += to - from;
    if (this.headBytes < HEAD_BYTES) {
      const part = chunk.subarray(from, Math.min(to, from + HEAD_BYTES - this.headBytes));
      this.head.push(part);
      this.headBytes += part.length;
    }
  }

  private emit(): void {
    const head = Buffer.concat(this.head).toString("latin1");
    const bytes = this.size;
    this.head = [];
    this.headBytes = 0;
    this.size = 0;
    const event = /^event: ?(\S+)/m.exec(head)?.[1] ?? "message";
    const version = /^data: ?\{"version":"([^"]+)"/m.exec(head)?.[1];
    this.onEvent({ event, version, bytes });
  }
}
