/**
 * A few seconds of memory for identical API requests. Kiali recomputes every graph request
 * from scratch, so several browsers (or one browser's refresh plus a side panel) watching
 * the same view cost Prometheus once each; here they share one computation: requests that
 * arrive while it runs wait for it, and later ones within `ttlMs` get its result. Failures
 * are not kept, so the next request tries again.
 */

export interface Clock {
  now(): number;
}

export interface CacheLookup<T> {
  value: T;
  /** Served from an earlier or running computation. */
  hit: boolean;
  /** When the computation started (clock ms). */
  computedAt: number;
}

export class ResponseCache<T> {
  private readonly entries = new Map<string, { promise: Promise<T>; startedAt: number; settled: boolean }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly clock: Clock = { now: () => Date.now() },
  ) {}

  async get(key: string, compute: () => Promise<T>): Promise<CacheLookup<T>> {
    const now = this.clock.now();
    const existing = this.entries.get(key);
    if (existing && (!existing.settled || now - existing.startedAt < this.ttlMs)) {
      return { value: await existing.promise, hit: true, computedAt: existing.startedAt };
    }
    const entry = { promise: compute(), startedAt: now, settled: false };
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evict(now);
    try {
      const value = await entry.promise;
      entry.settled = true;
      return { value, hit: false, computedAt: now };
    } catch (e) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw e;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops expired entries, then the oldest settled ones beyond maxEntries (Map keeps insertion order). */
  private evict(now: number): void {
    for (const [key, e] of this.entries) if (e.settled && now - e.startedAt >= this.ttlMs) this.entries.delete(key);
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      if (e.settled) this.entries.delete(key);
    }
  }
}
