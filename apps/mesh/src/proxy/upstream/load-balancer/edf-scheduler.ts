/**
 * Earliest Deadline First scheduling, Envoy's weighted round robin
 * (source/common/upstream/edf_scheduler.h): each entry's next deadline is
 * `now + 1 / weight`; a pick takes the earliest deadline (ties by insertion order),
 * advances "now" to it and re-adds the entry with its weight at that moment. With fixed
 * weights this is smooth weighted round robin; LEAST_REQUEST passes a weight that shrinks
 * with the host's active requests.
 * https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-round-robin
 */
interface Slot<T> {
  deadline: number;
  order: number;
  entry: T;
}

export class EdfScheduler<T> {
  private readonly heap: Slot<T>[] = [];
  private currentTime = 0;
  private orderOffset = 0;

  add(weight: number, entry: T): void {
    this.push({ deadline: this.currentTime + 1 / weight, order: this.orderOffset++, entry });
  }

  get size(): number {
    return this.heap.length;
  }

  /** The earliest entry, re-added with `weightOf(entry)` evaluated now. */
  pickAndAdd(weightOf: (entry: T) => number): T | undefined {
    const top = this.pop();
    if (!top) return undefined;
    this.currentTime = top.deadline;
    this.add(weightOf(top.entry), top.entry);
    return top.entry;
  }

  private less(a: Slot<T>, b: Slot<T>): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order);
  }

  private push(slot: Slot<T>): void {
    const h = this.heap;
    h.push(slot);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Slot<T> | undefined {
    const h = this.heap;
    const top = h[0];
    if (!top) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
