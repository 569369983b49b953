// Envoy's EDF scheduler (source/common/upstream/edf_scheduler.h), behind weighted round robin:
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#weighted-round-robin
import { describe, expect, it } from "vitest";
import { EdfScheduler } from "./edf-scheduler.ts";

describe("EdfScheduler", () => {
  it("picks the earliest deadline and breaks ties by insertion order", () => {
    const edf = new EdfScheduler<string>();
    edf.add(1, "a");
    edf.add(1, "b");
    edf.add(2, "c");
    const picks = Array.from({ length: 8 }, () => edf.pickAndAdd((e) => (e === "c" ? 2 : 1)));
    expect(picks).toEqual(["c", "a", "b", "c", "c", "a", "b", "c"]);
  });

  it("re-adds the picked entry with the weight it has at pick time", () => {
    const edf = new EdfScheduler<string>();
    edf.add(1, "a");
    edf.add(1, "b");
    // "a" halves its weight every time it is picked; "b" keeps 1.
    let wa = 1;
    const picks = Array.from({ length: 6 }, () => edf.pickAndAdd((e) => (e === "a" ? (wa /= 2) : 1)));
    expect(picks).toEqual(["a", "b", "b", "a", "b", "b"]);
    expect(edf.size).toBe(2);
  });

  it("returns undefined when empty", () => {
    expect(new EdfScheduler<string>().pickAndAdd(() => 1)).toBeUndefined();
  });
});
