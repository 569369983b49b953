/**
 * Time, chance and timers for the sidecar, injected like Envoy injects its TimeSource,
 * Random::RandomGenerator and Dispatcher into retry_state_impl and
 * outlier_detection_impl. Only the real implementations below touch the process clock,
 * Math.random or setTimeout (STYLE §3); tests drive the fakes.
 */

/**
 * Milliseconds. Which clock is behind it matters: durations (timeouts, ejection times,
 * back-off) read `monotonicClock`; timestamps that leave the process (span times, the
 * access log's start_time) read `wallClock`, as Envoy keeps MonotonicTime and SystemTime
 * apart.
 */
export interface Clock {
  now(): number;
}

/** Uniform in [0, 1). */
export interface Rng {
  next(): number;
}

export interface TimerHandle {
  cancel(): void;
}

export interface TimerFactory {
  /** One-shot timer. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

const TWO_POW_32 = 2 ** 32;

/**
 * A uniform unsigned 32-bit integer, the stand-in for Envoy's `random_.random()`. The
 * balancers and the back-off use `randomUint32(rng) % n` exactly as Envoy uses
 * `random() % n`, so a test that fixes the Rng gets Envoy's own expected numbers.
 */
export function randomUint32(rng: Rng): number {
  return Math.floor(rng.next() * TWO_POW_32) >>> 0;
}

/** The Rng value whose `randomUint32` is `n`: lets a test say "random() returns 190". */
export function rngValueFor(n: number): number {
  return n / TWO_POW_32;
}

// ---- real implementations ---------------------------------------------------------

/**
 * Monotonic milliseconds (performance.now offset to the epoch). Outlier ejection times
 * and timeouts are durations; Envoy measures them on its MonotonicTime so a wall-clock
 * step (NTP) cannot eject a host for an hour or return it early. It drifts from the wall
 * clock while the process runs, so never print it as a date.
 */
export const monotonicClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};

/**
 * Milliseconds since the epoch, Envoy's SystemTime: for timestamps read outside this
 * process (span start/end, the access log's start_time), never for measuring durations.
 */
export const wallClock: Clock = { now: () => Date.now() };

export const mathRng: Rng = { next: () => Math.random() };

export const realTimers: TimerFactory = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    // A pending back-off, outlier sweep or telemetry flush must never keep the process
    // alive on shutdown.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

// ---- test fakes ---------------------------------------------------------------------

/**
 * A hand-driven clock and timer queue, standing in for either real clock and for
 * `realTimers`: `advance(ms)` fires what fell due, in time order.
 */
export class ManualClock implements Clock, TimerFactory {
  private time: number;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.seq++;
    this.pending.set(id, { at: this.time + Math.max(0, ms), fn });
    return { cancel: () => void this.pending.delete(id) };
  }

  /** Timers neither fired nor cancelled: a test asserts a sink or sweep left none behind. */
  get pendingTimers(): number {
    return this.pending.size;
  }

  /** Delays of the pending timers from now, soonest first (what a test asserts on). */
  pendingDelays(): number[] {
    return [...this.pending.values()].map((p) => p.at - this.time).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let nextId: number | undefined;
      let next: { at: number; fn: () => void } | undefined;
      // Ties fire in creation order (Map keeps insertion order), like a real timer wheel.
      for (const [id, p] of this.pending) {
        if (p.at <= until && (!next || p.at < next.at)) {
          nextId = id;
          next = p;
        }
      }
      if (!next || nextId === undefined) break;
      this.pending.delete(nextId);
      this.time = next.at;
      next.fn();
    }
    this.time = until;
  }
}

/**
 * An Rng that replays fixed values, cycling. `SequenceRng.ofUint32(190)` makes
 * `randomUint32` return 190, mirroring `EXPECT_CALL(random_, random()).WillOnce(Return(190))`.
 */
export class SequenceRng implements Rng {
  private i = 0;

  constructor(private readonly values: readonly number[]) {
    if (values.length === 0) throw new RangeError("SequenceRng needs at least one value");
    for (const v of values) if (!(v >= 0 && v < 1)) throw new RangeError(`Rng value ${v} is outside [0, 1)`);
  }

  static ofUint32(...ints: number[]): SequenceRng {
    return new SequenceRng(ints.map(rngValueFor));
  }

  next(): number {
    const v = this.values[this.i % this.values.length]!;
    this.i++;
    return v;
  }

  /** How many values were drawn. */
  get draws(): number {
    return this.i;
  }
}

/** A small deterministic PRNG (mulberry32) for statistical tests that need many draws. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
    },
  };
}
