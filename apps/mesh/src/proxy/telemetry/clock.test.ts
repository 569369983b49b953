import { describe, expect, it } from "vitest";
import { ManualTimers } from "./clock.ts";

describe("ManualTimers", () => {
  it("fires due timers in time order and moves the clock to each", () => {
    const timers = new ManualTimers(1000);
    const fired: [string, number][] = [];
    timers.setTimeout(() => fired.push(["late", timers.now()]), 20);
    timers.setTimeout(() => fired.push(["early", timers.now()]), 10);
    timers.advance(15);
    expect(fired).toEqual([["early", 1010]]);
    timers.advance(5);
    expect(fired).toEqual([
      ["early", 1010],
      ["late", 1020],
    ]);
    expect(timers.now()).toBe(1020);
  });

  it("does not fire a cancelled timer", () => {
    const timers = new ManualTimers();
    let fired = false;
    timers.setTimeout(() => (fired = true), 1).cancel();
    timers.advance(10);
    expect(fired).toBe(false);
    expect(timers.size).toBe(0);
  });

  it("fires a timer set by a firing timer when it falls due within the same advance", () => {
    const timers = new ManualTimers();
    const fired: number[] = [];
    timers.setTimeout(() => {
      fired.push(timers.now());
      timers.setTimeout(() => fired.push(timers.now()), 5);
    }, 5);
    timers.advance(10);
    expect(fired).toEqual([5, 10]);
  });
});
