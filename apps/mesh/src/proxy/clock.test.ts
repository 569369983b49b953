import { describe, expect, it } from "vitest";
import { ManualClock, mathRng, monotonicClock, randomUint32, realTimers, rngValueFor, seededRng, SequenceRng, wallClock } from "./clock.ts";

describe("ManualClock", () => {
  it("fires due timers in time order, ties in creation order, and moves time to each", () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    clock.advance(15);
    expect(fired).toEqual(["a@110"]);
    clock.advance(100);
    expect(fired).toEqual(["a@110", "b@120", "c@120"]);
    expect(clock.now()).toBe(215);
  });

  it("fires timers that a firing timer sets, when they fall due within the advance", () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(35);
    expect(fired).toEqual([10, 20, 30]);
    expect(clock.pendingDelays()).toEqual([5]);
  });

  it("does not fire a cancelled timer", () => {
    const clock = new ManualClock();
    let fired = false;
    clock.setTimeout(() => (fired = true), 5).cancel();
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it("fires due timers in time order and moves the clock to each, from an epoch start", () => {
    const clock = new ManualClock(1000);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(["late", clock.now()]), 20);
    clock.setTimeout(() => fired.push(["early", clock.now()]), 10);
    clock.advance(15);
    expect(fired).toEqual([["early", 1010]]);
    clock.advance(5);
    expect(fired).toEqual([
      ["early", 1010],
      ["late", 1020],
    ]);
    expect(clock.now()).toBe(1020);
    expect(clock.pendingTimers).toBe(0);
  });

  it("fires a one-shot timer set by a firing timer when it falls due within the same advance", () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    clock.advance(10);
    expect(fired).toEqual([5, 10]);
  });

  it("counts pending timers until they fire or are cancelled, and fires a negative delay at once", () => {
    const clock = new ManualClock(50);
    const fired: number[] = [];
    const kept = clock.setTimeout(() => fired.push(clock.now()), 10);
    const dropped = clock.setTimeout(() => fired.push(-1), 10);
    clock.setTimeout(() => fired.push(clock.now()), -5);
    expect(clock.pendingTimers).toBe(3);
    dropped.cancel();
    dropped.cancel();
    expect(clock.pendingTimers).toBe(2);
    clock.advance(0);
    expect(fired).toEqual([50]);
    clock.advance(10);
    expect(fired).toEqual([50, 60]);
    kept.cancel();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe("Rng helpers", () => {
  it.each([0, 1, 190, 2 ** 31, 2 ** 32 - 1])("SequenceRng.ofUint32(%i) makes randomUint32 return it", (n) => {
    expect(randomUint32(SequenceRng.ofUint32(n))).toBe(n);
    expect(randomUint32({ next: () => rngValueFor(n) })).toBe(n);
  });

  it("cycles through its values and counts draws", () => {
    const rng = new SequenceRng([0.1, 0.2]);
    expect([rng.next(), rng.next(), rng.next()]).toEqual([0.1, 0.2, 0.1]);
    expect(rng.draws).toBe(3);
  });

  it.each([[[]], [[1]], [[-0.1]]])("rejects values outside [0, 1): %j", (values) => {
    expect(() => new SequenceRng(values)).toThrow(RangeError);
  });

  it("seededRng repeats for a seed and stays in [0, 1)", () => {
    const a = seededRng(5);
    const b = seededRng(5);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe("real implementations", () => {
  it("monotonicClock never goes back and reads near the epoch time", () => {
    const a = monotonicClock.now();
    const b = monotonicClock.now();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(a).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });

  it("wallClock reads milliseconds since the epoch, as span and access-log timestamps need", () => {
    const before = Date.now();
    const t = wallClock.now();
    expect(Number.isInteger(t)).toBe(true);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it("mathRng stays in [0, 1)", () => {
    for (let i = 0; i < 100; i++) {
      const x = mathRng.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it("realTimers fires after the delay and can be cancelled", async () => {
    const fired: string[] = [];
    realTimers.setTimeout(() => fired.push("kept"), 1);
    realTimers.setTimeout(() => fired.push("cancelled"), 1).cancel();
    await new Promise((resolve) => realTimers.setTimeout(() => resolve(undefined), 20));
    expect(fired).toEqual(["kept"]);
  });
});
