import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileSnapshot, type ProxySnapshot } from "@skein/shared";
import { SNAPSHOT_FILE, SnapshotCache } from "./snapshot-cache.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function cacheDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "skein-cache-"));
  dirs.push(d);
  return join(d, "sidecar");
}

function snapshot(name: string): ProxySnapshot {
  return compileSnapshot({
    resources: [],
    registry: { services: [] },
    workload: { name, namespace: "default", serviceAccount: "reviews", labels: { app: "reviews" }, trustDomain: "cluster.local", spiffeId: "spiffe://cluster.local/ns/default/sa/reviews" },
  });
}

describe("SnapshotCache", () => {
  it("reads back the snapshot it saved, from a file only the sidecar's user can read", async () => {
    const dir = await cacheDir();
    const s = snapshot("reviews-v1");
    await new SnapshotCache(dir).save(s);
    expect(await new SnapshotCache(dir).load()).toEqual(s);
    expect((await stat(join(dir, SNAPSHOT_FILE))).mode & 0o777).toBe(0o600);
  });

  it("has nothing before the first save, and says nothing about it", async () => {
    const lines: string[] = [];
    expect(await new SnapshotCache(await cacheDir(), (l) => lines.push(l)).load()).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it.each([
    ["a truncated file", '{"version":"abc","workl'],
    ["JSON that is not a snapshot", '{"version":1}'],
  ])("ignores %s and logs why", async (_label, text) => {
    const dir = await cacheDir();
    await new SnapshotCache(dir).save(snapshot("x"));
    await writeFile(join(dir, SNAPSHOT_FILE), text);
    const lines: string[] = [];
    expect(await new SnapshotCache(dir, (l) => lines.push(l)).load()).toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/^ignoring cached config .*snapshot\.json/)]);
  });

  it("keeps the last of several quick saves and leaves no temporary file behind", async () => {
    const dir = await cacheDir();
    const cache = new SnapshotCache(dir);
    const all = ["a", "b", "c", "d"].map(snapshot);
    await Promise.all(all.map((s) => cache.save(s)));
    expect((await cache.load())!.workload.name).toBe("d");
    expect(await readdir(dir)).toEqual([SNAPSHOT_FILE]);
  });
});
