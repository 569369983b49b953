import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { ApplyResult, StoredResource } from "@skein/shared";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { HttpError, type RequestContext } from "./http.ts";
import { author, ifMatch, resourceRoutes, type ResourceStore } from "./resource-routes.ts";

const RESULT: ApplyResult = { dryRun: false, changes: [], diagnostics: [] };

/** A store that records what the routes ask of it. */
function recordingStore() {
  const calls: { method: string; args: unknown[] }[] = [];
  const record =
    (method: string, value: unknown) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      return value;
    };
  const stored: StoredResource = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "reviews", namespace: "default", resourceVersion: "4" }, spec: {} };
  const store = {
    list: record("list", []),
    get: record("get", stored),
    apply: record("apply", RESULT),
    remove: record("remove", RESULT),
    history: record("history", []),
    rollback: record("rollback", RESULT),
  } as unknown as ResourceStore;
  return { store, calls };
}

async function call(store: ResourceStore, method: string, target: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
  const url = new URL(target, "http://control-plane");
  const routes = resourceRoutes(store);
  for (const r of routes) {
    const names: string[] = [];
    const pattern = new RegExp("^" + r.path.replace(/:[a-zA-Z]+/g, (m) => (names.push(m.slice(1)), "([^/]+)")) + "$");
    const m = pattern.exec(url.pathname);
    if (!m || r.method !== method) continue;
    const req = Readable.from(options.body === undefined ? [] : [Buffer.from(JSON.stringify(options.body))]) as unknown as IncomingMessage;
    req.headers = options.headers ?? {};
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as ServerResponse;
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    const ctx: RequestContext = { req, res, url, params, principal: "admin" };
    return { body: await r.handler(ctx), headers, auth: r.auth };
  }
  throw new Error(`no route for ${method} ${target}`);
}

async function status(p: Promise<unknown>): Promise<number> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HttpError);
  return (e as HttpError).status;
}

const vs = (metadata: Record<string, unknown>, kind = "VirtualService") => stringify({ apiVersion: "networking.istio.io/v1", kind, metadata, spec: { hosts: ["reviews"] } });
const put = (text: string) => ({ files: [{ file: "reviews.yaml", text }] });

describe("resourceRoutes", () => {
  it("asks for the admin token on every mutation and on nothing else", () => {
    const { store } = recordingStore();
    expect(resourceRoutes(store).map((r) => `${r.auth} ${r.method} ${r.path}`)).toEqual([
      "none GET /api/v1/resources",
      "none GET /api/v1/resources/:kind/:namespace/:name",
      "admin PUT /api/v1/resources/:kind/:namespace/:name",
      "admin DELETE /api/v1/resources/:kind/:namespace/:name",
      "admin POST /api/v1/apply",
      "none GET /api/v1/history",
      "admin POST /api/v1/rollback",
    ]);
  });

  it("passes list filters from the query and answers { items }", async () => {
    const { store, calls } = recordingStore();
    expect((await call(store, "GET", "/api/v1/resources?kind=vs&namespace=shop")).body).toEqual({ items: [] });
    expect(calls).toEqual([{ method: "list", args: [{ kind: "vs", namespace: "shop" }] }]);
  });

  it("sends a resource's version as its ETag", async () => {
    const { store } = recordingStore();
    expect((await call(store, "GET", "/api/v1/resources/VirtualService/default/reviews")).headers).toEqual({ etag: '"4"' });
  });

  it.each([
    { name: "a document of another kind", text: vs({ name: "reviews" }, "DestinationRule") },
    { name: "a document with another name", text: vs({ name: "ratings" }) },
    { name: "a document in another namespace", text: vs({ name: "reviews", namespace: "shop" }) },
    { name: "two documents", text: vs({ name: "reviews" }) + "---\n" + vs({ name: "reviews" }) },
  ])("answers PUT with $name than the path names with 400", async ({ text }) => {
    const { store, calls } = recordingStore();
    expect(await status(call(store, "PUT", "/api/v1/resources/VirtualService/default/reviews", { body: put(text) }))).toBe(400);
    expect(calls).toEqual([]);
  });

  it("applies a PUT in the path's namespace, with the If-Match version as a precondition and the caller as author", async () => {
    const { store, calls } = recordingStore();
    await call(store, "PUT", "/api/v1/resources/virtualservices/shop/reviews", { body: put(vs({ name: "reviews" })), headers: { "if-match": '"3"' } });
    expect(calls).toEqual([
      {
        method: "apply",
        args: [expect.objectContaining({ namespace: "shop", dryRun: false }), "admin", [{ kind: "VirtualService", namespace: "shop", name: "reviews", resourceVersion: "3" }]],
      },
    ]);
  });

  it("leaves a version named in the PUT document to the document", async () => {
    const { store, calls } = recordingStore();
    await call(store, "PUT", "/api/v1/resources/VirtualService/default/reviews", { body: put(vs({ name: "reviews", resourceVersion: "3" })) });
    expect(calls[0]!.args[2]).toEqual([{ kind: "VirtualService", namespace: "default", name: "reviews", resourceVersion: "3" }]);
    const disagreeing = call(store, "PUT", "/api/v1/resources/VirtualService/default/reviews", { body: put(vs({ name: "reviews", resourceVersion: "3" })), headers: { "if-match": '"2"' } });
    expect(await status(disagreeing)).toBe(400);
  });

  it("passes YAML the PUT cannot parse on to the validator, which reports it with its line", async () => {
    const { store, calls } = recordingStore();
    await call(store, "PUT", "/api/v1/resources/VirtualService/default/reviews", { body: put("kind: [") });
    expect(calls.map((c) => c.method)).toEqual(["apply"]);
  });

  it("deletes with the version from the query or If-Match", async () => {
    const { store, calls } = recordingStore();
    await call(store, "DELETE", "/api/v1/resources/VirtualService/default/reviews?resourceVersion=5");
    await call(store, "DELETE", "/api/v1/resources/VirtualService/default/reviews", { headers: { "if-match": 'W/"6"' } });
    await call(store, "DELETE", "/api/v1/resources/VirtualService/default/reviews");
    expect(calls.map((c) => c.args)).toEqual([
      ["VirtualService", "default", "reviews", "admin", "5"],
      ["VirtualService", "default", "reviews", "admin", "6"],
      ["VirtualService", "default", "reviews", "admin", undefined],
    ]);
  });

  it("applies the request body with its defaults", async () => {
    const { store, calls } = recordingStore();
    await call(store, "POST", "/api/v1/apply", { body: put(vs({ name: "reviews" })) });
    expect(calls[0]!.args).toEqual([{ files: [{ file: "reviews.yaml", text: expect.any(String) }], dryRun: false, namespace: "default", message: "" }, "admin"]);
    expect(await status(call(store, "POST", "/api/v1/apply", { body: { files: [] } }))).toBe(400);
  });

  it("reads history filters and checks the limit", async () => {
    const { store, calls } = recordingStore();
    await call(store, "GET", "/api/v1/history?kind=VirtualService&name=reviews&limit=5");
    expect(calls[0]!.args).toEqual([{ kind: "VirtualService", namespace: undefined, name: "reviews", limit: 5 }]);
    expect(await status(call(store, "GET", "/api/v1/history?limit=0"))).toBe(400);
    expect(await status(call(store, "GET", "/api/v1/history?limit=abc"))).toBe(400);
  });

  it("rolls back to a revision or a change set", async () => {
    const { store, calls } = recordingStore();
    await call(store, "POST", "/api/v1/rollback", { body: { revision: 3 } });
    await call(store, "POST", "/api/v1/rollback", { body: { changeSet: 2 } });
    expect(calls.map((c) => c.args)).toEqual([
      [{ revision: 3 }, "admin"],
      [{ changeSet: 2 }, "admin"],
    ]);
    expect(await status(call(store, "POST", "/api/v1/rollback", { body: { revision: "x" } }))).toBe(400);
  });
});

describe("ifMatch", () => {
  it.each([
    ['"3"', "3"],
    ['W/"3"', "3"],
    ["3", "3"],
    ["*", undefined],
    [undefined, undefined],
  ])("reads %s as %s", (header, expected) => {
    expect(ifMatch(header)).toBe(expected);
  });
});

describe("the author of a change", () => {
  it("is the user an admin-token caller names in X-Skein-Author, else the principal", () => {
    expect(author("admin", { headers: { "x-skein-author": "ann" } })).toBe("ann");
    expect(author("admin", { headers: {} })).toBe("admin");
    expect(author("admin", { headers: { "x-skein-author": "ann\nforged" } })).toBe("admin");
    expect(author("shop/reviews", { headers: { "x-skein-author": "ann" } })).toBe("shop/reviews");
    expect(author(undefined, { headers: { "x-skein-author": "ann" } })).toBe("admin");
  });
});
