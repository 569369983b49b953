import { describe, expect, it } from "vitest";
import { CompileCache, Fragment } from "./compile-cache.ts";

describe("CompileCache", () => {
  it("reuses an entry while every dependency is the same object, and rebuilds it when one is replaced", () => {
    const cache = new CompileCache();
    const rule = { spec: { host: "reviews" } };
    let builds = 0;
    const build = () => ({ n: ++builds });
    const first = cache.get("cluster", [rule, "cluster.local"], build);
    expect(cache.get("cluster", [rule, "cluster.local"], build)).toBe(first);
    // An equal but new resource is a new version of it: rebuilt.
    const second = cache.get("cluster", [{ spec: { host: "reviews" } }, "cluster.local"], build);
    expect(second).not.toBe(first);
    expect(cache.get("cluster", [undefined, "cluster.local"], build)).toEqual({ n: 3 });
    expect(builds).toBe(3);
  });

  it("forgets what no compile used between two sweeps, and keeps what one did", () => {
    const cache = new CompileCache();
    cache.get("a", [], () => 1);
    cache.get("b", [], () => 2);
    cache.sweep();
    cache.get("a", [], () => 10);
    cache.sweep();
    expect(cache.size).toBe(1);
    expect(cache.get("a", [], () => 100)).toBe(1);
    expect(cache.get("b", [], () => 20)).toBe(20);
  });
});

describe("Fragment", () => {
  it("serialises its value once", () => {
    const value = { name: "a", n: 1 };
    const f = new Fragment("a", value);
    expect(f.json).toBe('{"name":"a","n":1}');
    value.n = 2;
    expect(f.json).toBe('{"name":"a","n":1}');
  });
});
