import { describe, expect, it } from "vitest";
import { ResponseCache } from "./response-cache.ts";

function fakeClock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("ResponseCache", () => {
  it("serves an identical request within the ttl from the first computation", async () => {
    const clock = fakeClock();
    const cache = new ResponseCache<number>(5000, 10, clock);
    let calls = 0;
    const compute = async () => ++calls;
    expect(await cache.get("a", compute)).toEqual({ value: 1, hit: false, computedAt: 1000 });
    clock.advance(4999);
    expect(await cache.get("a", compute)).toEqual({ value: 1, hit: true, computedAt: 1000 });
    clock.advance(1);
    expect(await cache.get("a", compute)).toEqual({ value: 2, hit: false, computedAt: 6000 });
  });

  it("lets requests that arrive during a computation wait for it", async () => {
    const cache = new ResponseCache<string>(5000, 10, fakeClock());
    const d = deferred<string>();
    let calls = 0;
    const first = cache.get("k", () => (calls++, d.promise));
    const second = cache.get("k", () => (calls++, Promise.resolve("other")));
    d.resolve("graph");
    expect((await first).value).toBe("graph");
    expect(await second).toMatchObject({ value: "graph", hit: true });
    expect(calls).toBe(1);
  });

  it("keeps different keys apart", async () => {
    const cache = new ResponseCache<string>(5000, 10, fakeClock());
    expect((await cache.get("a", async () => "A")).value).toBe("A");
    expect((await cache.get("b", async () => "B")).value).toBe("B");
  });

  it("does not keep a failure", async () => {
    const cache = new ResponseCache<string>(5000, 10, fakeClock());
    await expect(cache.get("k", async () => Promise.reject(new Error("prometheus down")))).rejects.toThrow("prometheus down");
    expect(await cache.get("k", async () => "ok")).toMatchObject({ value: "ok", hit: false });
  });

  it("holds at most maxEntries settled results, dropping the oldest", async () => {
    const clock = fakeClock();
    const cache = new ResponseCache<number>(60_000, 2, clock);
    await cache.get("a", async () => 1);
    await cache.get("b", async () => 2);
    await cache.get("c", async () => 3);
    expect(cache.size).toBe(2);
    expect(await cache.get("a", async () => 10)).toMatchObject({ value: 10, hit: false });
    expect(await cache.get("c", async () => 30)).toMatchObject({ value: 3, hit: true });
  });
});
