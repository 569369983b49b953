import { validateSources } from "@skein/shared";
import { parse, stringify } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigStore, type ConfigChangeEvent } from "./config-store.ts";
import { openTestDatabase, reviewsDestinationRule, reviewsService, reviewsVirtualService, type TestDatabase } from "./config-store.testing.ts";
import { HttpError } from "./http.ts";

let t: TestDatabase;
let store: ConfigStore;

beforeEach(() => {
  t = openTestDatabase();
  store = new ConfigStore(t.db);
});
afterEach(async () => {
  await t.close();
});

const file = (text: string, name = "reviews.yaml") => ({ file: name, text });

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HttpError);
  return e as HttpError;
}

describe("ConfigStore.apply", () => {
  it("creates, then updates with a bumped resourceVersion, then reports an identical apply as unchanged", async () => {
    const created = await store.apply({ files: [file(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v1: 100 }))] }, "ann");
    expect(created.changes.map((c) => [c.kind, c.operation, c.resourceVersion])).toEqual([
      ["DestinationRule", "create", "1"],
      ["VirtualService", "create", "1"],
    ]);
    const updated = await store.apply({ files: [file(reviewsVirtualService({ v1: 50, v2: 50 }))] }, "ann");
    expect(updated.changes).toMatchObject([{ kind: "VirtualService", operation: "update", resourceVersion: "2" }]);
    expect(updated.changes[0]!.diff).toContain("-          weight: 100\n");

    const again = await store.apply({ files: [file(reviewsVirtualService({ v1: 50, v2: 50 }))] }, "ann");
    expect(again.changeSet).toBeUndefined();
    expect(again.changes).toEqual([{ kind: "VirtualService", namespace: "default", name: "reviews", operation: "unchanged", diff: "", resourceVersion: "2" }]);
    expect(await store.history()).toHaveLength(3);
  });

  it("treats re-applying `get` output (with server-set metadata) as unchanged", async () => {
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    const got = await store.get("VirtualService", "default", "reviews");
    const result = await store.apply({ files: [file(JSON.stringify(got), "reviews.json")] }, "ann");
    expect(result.changes[0]!.operation).toBe("unchanged");
  });

  it("checks new documents against stored ones: a subset the stored DestinationRule lacks is a 422", async () => {
    await store.apply({ files: [file(reviewsDestinationRule(["v1", "v2"]), "dr.yaml")] }, "ann");
    const e = await rejection(store.apply({ files: [file(reviewsVirtualService({ v1: 90, v3: 10 }), "vs.yaml")] }, "ann"));
    expect(e.status).toBe(422);
    expect(e.diagnostics).toContainEqual(expect.objectContaining({ severity: "error", code: "SK2001", file: "vs.yaml", path: "spec.http[0].route[1].destination.subset" }));
    expect(await store.list({ kind: "VirtualService" })).toEqual([]);
  });

  it("refuses a change that breaks a stored resource it leaves alone, naming that resource", async () => {
    await store.apply({ files: [file(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v1: 50, v2: 50 }))] }, "ann");
    const e = await rejection(store.apply({ files: [file(reviewsDestinationRule(["v1"]), "dr.yaml")] }, "ann"));
    expect(e.status).toBe(422);
    expect(e.diagnostics!.filter((d) => d.severity === "error")).toEqual([
      // Line 17 of the VirtualService as the store renders it: `subset: v2`.
      expect.objectContaining({ severity: "error", code: "SK2001", file: "store:VirtualService/default/reviews", line: 17, path: "spec.http[0].route[1].destination.subset", message: expect.stringMatching(/^after this change, subset "v2" is not defined/) }),
    ]);
    // Changing both together is the way to drop a subset.
    const both = await store.apply({ files: [file(reviewsDestinationRule(["v1"]) + "---\n" + reviewsVirtualService({ v1: 100 }))] }, "ann");
    expect(both.changes.map((c) => c.operation)).toEqual(["update", "update"]);
  });

  it("does not let an error already in the store block an unrelated change", async () => {
    await store.apply({ files: [file(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v1: 50, v2: 50 }))] }, "ann");
    // Written behind the validator's back, as a store migrated from elsewhere might hold it.
    const row = await t.db.resource.findFirstOrThrow({ where: { kind: "DestinationRule" } });
    const body = JSON.parse(row.body) as { spec: { subsets: unknown[] } };
    body.spec.subsets = body.spec.subsets.slice(0, 1);
    await t.db.resource.update({ where: { id: row.id }, data: { body: JSON.stringify(body) } });
    const ratings = stringify({ apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "ratings", namespace: "default" }, spec: { host: "ratings" } });
    const result = await store.apply({ files: [file(ratings)] }, "ann");
    expect(result.changes.map((c) => c.operation)).toEqual(["create"]);
  });

  it("checks against the registry context it is given", async () => {
    const registry = validateSources([file(reviewsService(), "registry")]).resources;
    const withRegistry = new ConfigStore(t.db, { context: () => registry });
    const vs = reviewsVirtualService({ v1: 100 });
    const without = await store.apply({ files: [file(vs)], dryRun: true }, "ann");
    const withIt = await withRegistry.apply({ files: [file(vs)], dryRun: true }, "ann");
    expect(without.diagnostics.map((d) => d.code)).toContain("SK2002");
    expect(withIt.diagnostics.map((d) => d.code)).not.toContain("SK2002");
  });

  it("uses Kubernetes objects in the input for the checks, reports them as info and does not store them", async () => {
    const result = await store.apply({ files: [file(reviewsService() + "---\n" + reviewsVirtualService({ v1: 100 }))] }, "ann");
    expect(result.changes.map((c) => c.kind)).toEqual(["VirtualService"]);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ severity: "info", kind: "Service", name: "reviews", line: 2, message: expect.stringContaining("not stored") }));
    expect(result.diagnostics.map((d) => d.code)).not.toContain("SK2002");
    expect((await store.list()).map((r) => r.kind)).toEqual(["VirtualService"]);
  });

  it("puts documents without a namespace in the request's namespace", async () => {
    const text = stringify({ apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "ratings" }, spec: { host: "ratings" } });
    await store.apply({ files: [file(text)], namespace: "shop" }, "ann");
    expect((await store.get("DestinationRule", "shop", "ratings")).metadata.namespace).toBe("shop");
  });

  it("refuses a document naming a resourceVersion when the resource does not exist", async () => {
    const e = await rejection(store.apply({ files: [file(reviewsVirtualService({ v1: 100 }, "3"))] }, "ann"));
    expect(e.status).toBe(409);
    expect(e.message).toContain("expects resourceVersion 3 but it does not exist");
  });

  it("takes an expected version from a precondition when the document names none", async () => {
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    const key = { kind: "VirtualService", namespace: "default", name: "reviews" };
    const e = await rejection(store.apply({ files: [file(reviewsVirtualService({ v2: 100 }))] }, "bob", [{ ...key, resourceVersion: "7" }]));
    expect(e.status).toBe(409);
    const ok = await store.apply({ files: [file(reviewsVirtualService({ v2: 100 }))] }, "bob", [{ ...key, resourceVersion: "1" }]);
    expect(ok.changes[0]!.resourceVersion).toBe("2");
  });

  it("serializes concurrent writers on one store: the second one's stale version is a 409", async () => {
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    const results = await Promise.allSettled([
      store.apply({ files: [file(reviewsVirtualService({ v1: 50, v2: 50 }, "1"))] }, "ann"),
      store.apply({ files: [file(reviewsVirtualService({ v2: 100 }, "1"))] }, "bob"),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((await store.history({ name: "reviews" })).map((r) => r.author)).toEqual(["ann", "ann"]);
  });

  it("refuses a write whose row another store changed after it was read, leaving that change in place", async () => {
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    const other = new ConfigStore(t.db);
    // The other store commits between this store's read and its commit.
    const db = t.db as unknown as { resource: { findMany: (...a: unknown[]) => Promise<unknown> } };
    const findMany = db.resource.findMany.bind(db.resource);
    db.resource.findMany = async (...args: unknown[]) => {
      const rows = await findMany(...args);
      db.resource.findMany = findMany;
      await other.apply({ files: [file(reviewsVirtualService({ v2: 100 }))] }, "bob");
      return rows;
    };
    const e = await rejection(store.apply({ files: [file(reviewsVirtualService({ v1: 50, v2: 50 }))] }, "ann"));
    expect(e.status).toBe(409);
    expect((await store.get("VirtualService", "default", "reviews")).spec).toMatchObject({ http: [{ route: [{ destination: { subset: "v2" }, weight: 100 }] }] });
    expect(await store.history()).toHaveLength(2);
  });

  it("tells listeners the change set and the keys it changed, once per commit", async () => {
    const events: ConfigChangeEvent[] = [];
    const stop = store.onChange((e) => events.push(e));
    const result = await store.apply({ files: [file(reviewsDestinationRule(["v1"]) + "---\n" + reviewsVirtualService({ v1: 100 }))], message: "first" }, "ann");
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))], dryRun: true }, "ann");
    stop();
    await store.remove("VirtualService", "default", "reviews", "ann");
    expect(events).toEqual([
      {
        changeSet: result.changeSet,
        action: "apply",
        author: "ann",
        changed: [
          { kind: "DestinationRule", namespace: "default", name: "reviews" },
          { kind: "VirtualService", namespace: "default", name: "reviews" },
        ],
      },
    ]);
  });
});

describe("ConfigStore reads", () => {
  it("lists by kind (as kubectl names it) and namespace, and 404s on a missing resource", async () => {
    await store.apply({ files: [file(reviewsDestinationRule(["v1"]) + "---\n" + reviewsVirtualService({ v1: 100 }))] }, "ann");
    expect((await store.list({ kind: "vs" })).map((r) => r.kind)).toEqual(["VirtualService"]);
    expect(await store.list({ namespace: "other" })).toEqual([]);
    expect((await store.get("destinationrules", "default", "reviews")).metadata).toMatchObject({ name: "reviews", namespace: "default", resourceVersion: "1" });
    expect((await rejection(store.get("VirtualService", "default", "nope"))).status).toBe(404);
    expect((await rejection(store.list({ kind: "Deployment" }))).status).toBe(400);
  });

  it("gives the compiler every resource in force from memory, oldest first, kept current by each commit", async () => {
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    expect(() => store.current()).toThrow(/load\(\)/);
    await store.load();
    await store.apply({ files: [file(reviewsDestinationRule(["v1", "v2"]))] }, "ann");
    await store.apply({ files: [file(reviewsVirtualService({ v1: 50, v2: 50 }))] }, "ann");
    expect(store.current().map((r) => [r.kind, r.metadata.resourceVersion])).toEqual([
      ["VirtualService", "2"],
      ["DestinationRule", "1"],
    ]);
    expect(store.current()[0]!.spec).toEqual(parse(reviewsVirtualService({ v1: 50, v2: 50 })).spec);
    await store.remove("VirtualService", "default", "reviews", "ann");
    await store.rollback({ revision: (await store.history({ kind: "VirtualService" }))[1]!.id }, "ann");
    expect(store.current().map((r) => [r.kind, r.metadata.resourceVersion])).toEqual([
      ["DestinationRule", "1"],
      ["VirtualService", "4"],
    ]);
    const reopened = await ConfigStore.open(t.db);
    expect(reopened.current()).toEqual(store.current());
  });
});

describe("ConfigStore.remove", () => {
  it("deletes with a revision, hides the resource, and 404s when asked again", async () => {
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    const result = await store.remove("VirtualService", "default", "reviews", "bob");
    expect(result.changes).toMatchObject([{ operation: "delete", resourceVersion: "2" }]);
    expect(result.changes[0]!.diff).toMatch(/^--- a\/VirtualService\/default\/reviews\n\+\+\+ \/dev\/null\n/);
    expect(await store.list()).toEqual([]);
    expect((await rejection(store.remove("VirtualService", "default", "reviews", "bob"))).status).toBe(404);
    expect((await store.history())[0]).toMatchObject({ operation: "delete", author: "bob" });
  });

  it("refuses to delete with a stale version", async () => {
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    const e = await rejection(store.remove("VirtualService", "default", "reviews", "bob", "0"));
    expect(e.status).toBe(409);
    expect(await store.list()).toHaveLength(1);
  });

  it("continues a recreated resource's versions from before its deletion, so old versions stay stale", async () => {
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    await store.remove("VirtualService", "default", "reviews", "ann");
    const again = await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    expect(again.changes).toMatchObject([{ operation: "create", resourceVersion: "3" }]);
  });
});

describe("ConfigStore.rollback", () => {
  it("restores every resource a change set touched, and leaves resources it did not touch alone", async () => {
    const first = await store.apply({ files: [file(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v1: 100 }))] }, "ann");
    const ratings = stringify({ apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "ratings", namespace: "default" }, spec: { host: "ratings" } });
    await store.apply({ files: [file(reviewsDestinationRule(["v1", "v2", "v3"]) + "---\n" + reviewsVirtualService({ v1: 50, v3: 50 }) + "---\n" + ratings)] }, "ann");
    const back = await store.rollback({ changeSet: first.changeSet! }, "bob");
    expect(back.changes.map((c) => [c.kind, c.name, c.operation])).toEqual([
      ["DestinationRule", "reviews", "update"],
      ["VirtualService", "reviews", "update"],
    ]);
    expect((await store.get("VirtualService", "default", "reviews")).spec).toEqual(parse(reviewsVirtualService({ v1: 100 })).spec);
    expect((await store.list()).map((r) => `${r.kind}/${r.metadata.name}`)).toEqual(["DestinationRule/ratings", "DestinationRule/reviews", "VirtualService/reviews"]);
  });

  it("deletes a resource when the revision rolled back to was its deletion", async () => {
    await store.apply({ files: [file(reviewsVirtualService({ v1: 100 }))] }, "ann");
    await store.remove("VirtualService", "default", "reviews", "ann");
    await store.apply({ files: [file(reviewsVirtualService({ v2: 100 }))] }, "ann");
    const deletion = (await store.history()).find((r) => r.operation === "delete")!;
    const back = await store.rollback({ revision: deletion.id }, "bob");
    expect(back.changes).toMatchObject([{ operation: "delete" }]);
    expect(await store.list()).toEqual([]);
    expect((await store.history())[0]).toMatchObject({ operation: "delete", author: "bob", message: `rollback to revision ${deletion.id}` });
  });

  it("refuses a rollback whose result would be invalid against the current config, changing nothing", async () => {
    const dr = await store.apply({ files: [file(reviewsDestinationRule(["v1"]))] }, "ann");
    await store.apply({ files: [file(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v2: 100 }))] }, "ann");
    const drRevision = (await store.history({ kind: "DestinationRule" })).find((r) => r.changeSet === dr.changeSet)!;
    const e = await rejection(store.rollback({ revision: drRevision.id }, "bob"));
    expect(e.status).toBe(422);
    expect(e.diagnostics).toContainEqual(expect.objectContaining({ code: "SK2001" }));
    expect((await store.get("DestinationRule", "default", "reviews")).metadata.resourceVersion).toBe("2");
  });

  it("404s on a revision or change set that does not exist", async () => {
    expect((await rejection(store.rollback({ revision: 99 }, "bob"))).status).toBe(404);
    expect((await rejection(store.rollback({ changeSet: 99 }, "bob"))).status).toBe(404);
  });
});
