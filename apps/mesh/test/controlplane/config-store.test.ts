/**
 * The config API over real HTTP on 127.0.0.1, backed by a real SQLite file: what the CLI
 * and the console see when they apply, race, fail validation, dry-run, read history and
 * roll back.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApiError, ApplyResult, Revision, StoredResource } from "@skein/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigStore } from "../../src/controlplane/config-store.ts";
import { openTestDatabase, reviewsDestinationRule, reviewsVirtualService, type TestDatabase } from "../../src/controlplane/config-store.testing.ts";
import { resourceRoutes } from "../../src/controlplane/resource-routes.ts";
import { Router } from "../../src/controlplane/router.ts";

/** Admin tokens and whom they belong to: the holder is recorded as the author. */
const TOKENS: Record<string, string> = { "Bearer ann-token": "ann", "Bearer bob-token": "bob" };

let t: TestDatabase;
let server: Server;
let base: string;

beforeEach(async () => {
  t = openTestDatabase();
  const store = await ConfigStore.open(t.db);
  const router = new Router({ admin: (h) => (h ? TOKENS[h] : undefined), sidecar: () => undefined }).add(...resourceRoutes(store));
  server = createServer((req, res) => void router.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  await t.close();
});

interface Reply<T> {
  status: number;
  body: T;
  etag: string | null;
}

async function send<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as = "ann"): Promise<Reply<T>> {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${as}-token`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T, etag: res.headers.get("etag") };
}

const apply = (text: string, options: { file?: string; dryRun?: boolean; message?: string } = {}, as = "ann") =>
  send<ApplyResult & ApiError>("POST", "/apply", { files: [{ file: options.file ?? "mesh.yaml", text }], dryRun: options.dryRun ?? false, message: options.message ?? "" }, {}, as);
const getReviews = () => send<StoredResource & ApiError>("GET", "/resources/VirtualService/default/reviews");
const history = (query = "") => send<{ items: Revision[] }>("GET", `/history${query}`);
const specOf = (yaml: string) => parse(yaml).spec as unknown;

describe("config API", () => {
  it("stores an apply, then returns it from get and list with its resourceVersion", async () => {
    const applied = await apply(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v1: 100 }));
    expect(applied.status).toBe(200);
    expect(applied.body.changes.map((c) => [c.kind, c.operation])).toEqual([
      ["DestinationRule", "create"],
      ["VirtualService", "create"],
    ]);

    const got = await getReviews();
    expect(got.status).toBe(200);
    expect(got.etag).toBe('"1"');
    expect(got.body).toMatchObject({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "reviews", namespace: "default", resourceVersion: "1" } });
    expect(got.body.spec).toEqual(specOf(reviewsVirtualService({ v1: 100 })));

    const listed = await send<{ items: StoredResource[] }>("GET", "/resources?kind=virtualservices&namespace=default");
    expect(listed.body.items.map((r) => r.metadata.name)).toEqual(["reviews"]);
    expect((await send("GET", "/resources/VirtualService/default/nope")).status).toBe(404);
  });

  it("needs the admin token to change anything", async () => {
    const res = await fetch(`${base}/apply`, { method: "POST", body: JSON.stringify({ files: [{ file: "a.yaml", text: reviewsVirtualService({ v1: 100 }) }] }) });
    expect(res.status).toBe(401);
    expect((await send<{ items: unknown[] }>("GET", "/resources")).body.items).toEqual([]);
  });

  it("lets exactly one of two concurrent writers holding the same resourceVersion win; the other gets 409 and changes nothing", async () => {
    await apply(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v1: 100 }));
    const { etag } = await getReviews();
    const put = (weights: Record<string, number>, as: string) =>
      send<ApplyResult & ApiError>("PUT", "/resources/VirtualService/default/reviews", { files: [{ file: `${as}.yaml`, text: reviewsVirtualService(weights) }] }, { "if-match": etag! }, as);
    const [ann, bob] = await Promise.all([put({ v1: 50, v2: 50 }, "ann"), put({ v2: 100 }, "bob")]);

    expect([ann.status, bob.status].sort()).toEqual([200, 409]);
    const [winner, loser] = ann.status === 200 ? [{ reply: ann, weights: { v1: 50, v2: 50 }, who: "ann" }, bob] : [{ reply: bob, weights: { v2: 100 }, who: "bob" }, ann];
    expect(loser.body.error).toMatchObject({ code: "Conflict", message: expect.stringMatching(/VirtualService default\/reviews .*expects resourceVersion 1 but the stored resourceVersion is 2/) });

    const now = await getReviews();
    expect(now.body.metadata.resourceVersion).toBe("2");
    expect(now.body.spec).toEqual(specOf(reviewsVirtualService(winner.weights)));
    const revisions = (await history("?kind=VirtualService&name=reviews")).body.items;
    expect(revisions.map((r) => [r.resourceVersion, r.author])).toEqual([
      ["2", winner.who],
      ["1", "ann"],
    ]);
  });

  it("commits nothing from a multi-document apply with one invalid document, and names its file, line and field", async () => {
    const valid = reviewsDestinationRule(["v1", "v2"]);
    const invalid = [
      "apiVersion: networking.istio.io/v1",
      "kind: VirtualService",
      "metadata:",
      "  name: reviews",
      "spec:",
      "  hosts: [reviews]",
      "  http:",
      "    - route:",
      "        - destination: {host: reviews, subset: v1}",
      '      timeout: "5"',
      "",
    ].join("\n");
    const res = await send<ApiError>("POST", "/apply", {
      files: [
        { file: "dr.yaml", text: valid },
        { file: "vs.yaml", text: invalid },
      ],
    });

    expect(res.status).toBe(422);
    const errors = res.body.error.diagnostics!.filter((d) => d.severity === "error");
    expect(errors).toEqual([expect.objectContaining({ file: "vs.yaml", line: 10, column: 7, path: "spec.http[0].timeout", code: "SK1010" })]);
    expect(res.body.error.message).toMatch(/^1 validation error\(s\); first: vs\.yaml:10:7 spec\.http\[0\]\.timeout: .*nothing was applied$/);
    expect((await send<{ items: unknown[] }>("GET", "/resources")).body.items).toEqual([]);
    expect((await history()).body.items).toEqual([]);
  });

  it("returns the diff of a dry run and commits nothing", async () => {
    await apply(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v1: 100 }));
    const dry = await apply(reviewsVirtualService({ v1: 90, v2: 10 }), { dryRun: true });

    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, changes: [{ kind: "VirtualService", operation: "update", resourceVersion: "1" }] });
    expect(dry.body.changeSet).toBeUndefined();
    expect(dry.body.changes[0]!.diff).toBe(
      [
        "--- a/VirtualService/default/reviews",
        "+++ b/VirtualService/default/reviews",
        "@@ -11,4 +11,8 @@",
        "         - destination:",
        "             host: reviews",
        "             subset: v1",
        "-          weight: 100",
        "+          weight: 90",
        "+        - destination:",
        "+            host: reviews",
        "+            subset: v2",
        "+          weight: 10",
        "",
      ].join("\n"),
    );
    expect((await getReviews()).body.metadata.resourceVersion).toBe("1");
    expect((await history()).body.items).toHaveLength(2);
  });

  it("lists revisions newest first with author, message and diff, filtered by resource", async () => {
    await apply(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v1: 100 }), { message: "start on v1" });
    await apply(reviewsVirtualService({ v1: 50, v2: 50 }), { message: "canary v2" }, "bob");

    const all = (await history()).body.items;
    expect(all.map((r) => [r.kind, r.operation, r.author, r.message])).toEqual([
      ["VirtualService", "update", "bob", "canary v2"],
      ["VirtualService", "create", "ann", "start on v1"],
      ["DestinationRule", "create", "ann", "start on v1"],
    ]);
    expect(all[1]!.changeSet).toBe(all[2]!.changeSet);
    expect(all[0]!.diff).toContain("-          weight: 100\n+          weight: 50\n");
    expect(all[1]!.diff).toMatch(/^--- \/dev\/null\n\+\+\+ b\/VirtualService\/default\/reviews\n/);
    expect(Date.parse(all[0]!.createdAt)).not.toBeNaN();
    expect((await history("?kind=DestinationRule")).body.items.map((r) => r.kind)).toEqual(["DestinationRule"]);
    expect((await history("?limit=1")).body.items.map((r) => r.message)).toEqual(["canary v2"]);
  });

  it("rolls back to an earlier revision, restoring the routing exactly, and records the rollback in history", async () => {
    await apply(reviewsDestinationRule(["v1", "v2", "v3"]) + "---\n" + reviewsVirtualService({ v1: 90, v2: 10 }));
    await apply(reviewsVirtualService({ v1: 50, v2: 50 }));
    await apply(reviewsVirtualService({ v3: 100 }));
    const first = (await history("?kind=VirtualService")).body.items.at(-1)!;

    const back = await send<ApplyResult>("POST", "/rollback", { revision: first.id }, {}, "bob");
    expect(back.status).toBe(200);
    expect(back.body.changes).toMatchObject([{ kind: "VirtualService", operation: "update", resourceVersion: "4" }]);

    const now = await getReviews();
    expect(now.body.spec).toEqual(specOf(reviewsVirtualService({ v1: 90, v2: 10 })));
    const latest = (await history("?limit=1")).body.items[0]!;
    expect(latest).toMatchObject({ changeSet: back.body.changeSet, author: "bob", message: `rollback to revision ${first.id}`, operation: "update", resourceVersion: "4" });
    expect(latest.diff).toContain("-            subset: v3\n");
  });

  it("brings a deleted resource back with a rollback", async () => {
    await apply(reviewsDestinationRule(["v1", "v2"]) + "---\n" + reviewsVirtualService({ v1: 80, v2: 20 }));
    const { etag } = await getReviews();
    const deleted = await send<ApplyResult>("DELETE", "/resources/VirtualService/default/reviews", undefined, { "if-match": etag! });
    expect(deleted.body.changes).toMatchObject([{ operation: "delete", resourceVersion: "2" }]);
    expect((await getReviews()).status).toBe(404);

    const created = (await history("?kind=VirtualService")).body.items.find((r) => r.operation === "create")!;
    const back = await send<ApplyResult>("POST", "/rollback", { revision: created.id });
    expect(back.body.changes).toMatchObject([{ operation: "create", resourceVersion: "3" }]);
    const restored = await getReviews();
    expect(restored.status).toBe(200);
    expect(restored.body.spec).toEqual(specOf(reviewsVirtualService({ v1: 80, v2: 20 })));
    expect((await history("?limit=1")).body.items[0]).toMatchObject({ operation: "create", message: `rollback to revision ${created.id}` });
  });

  it("refuses a PUT whose document names another resource than its path", async () => {
    const res = await send<ApiError>("PUT", "/resources/VirtualService/default/ratings", { files: [{ file: "vs.yaml", text: reviewsVirtualService({ v1: 100 }) }] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('name "reviews" must match the path VirtualService/default/ratings');
  });
});
