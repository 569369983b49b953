/**
 * VirtualService routing through a real sidecar to real upstream apps: weighted splits,
 * request matching, subsets, proxy-style requests, 404 NR, rewrites, redirects, direct
 * responses, header operations, mirroring and config reload.
 */
import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { send, sendMany, serviceEntry, startSidecar, startUpstream, usingMesh, type Reply, type TestSidecar, type Upstream, type UpstreamHandler } from "./harness.ts";

usingMesh();

const VERSIONS = ["v1", "v2", "v3"] as const;
type Version = (typeof VERSIONS)[number];

const SUBSETS = JSON.stringify({
  apiVersion: "networking.istio.io/v1",
  kind: "DestinationRule",
  metadata: { name: "reviews" },
  spec: { host: "reviews", subsets: VERSIONS.map((v) => ({ name: v, labels: { version: v } })) },
});

/** A VirtualService for `reviews` with these HTTP routes; JSON is YAML. */
function virtualService(http: unknown[]): string {
  return JSON.stringify({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "reviews" }, spec: { hosts: ["reviews"], http } });
}

function to(subset: Version, weight?: number, headers?: unknown) {
  return { destination: { host: "reviews", subset }, ...(weight !== undefined ? { weight } : {}), ...(headers ? { headers } : {}) };
}

interface ReviewsMesh {
  apps: Record<Version, Upstream>;
  client: TestSidecar;
  yamlWith(...docs: string[]): string;
  get(path?: string, init?: { headers?: Record<string, string>; host?: string; method?: string }): Promise<Reply>;
}

/** reviews v1, v2 and v3 (one app each, labelled by version), the subsets, and a client sidecar with `docs`. */
async function reviewsMesh(docs: string[], handlers: Partial<Record<Version, UpstreamHandler>> = {}): Promise<ReviewsMesh> {
  const apps = {} as Record<Version, Upstream>;
  for (const v of VERSIONS) apps[v] = await startUpstream(`reviews-${v}`, handlers[v]);
  const entry = serviceEntry("reviews", 9080, VERSIONS.map((v) => ({ port: apps[v].port, labels: { app: "reviews", version: v } })));
  const yamlWith = (...more: string[]) => [entry, SUBSETS, ...more].join("\n---\n");
  const client = await startSidecar({ yaml: yamlWith(...docs) });
  return {
    apps,
    client,
    yamlWith,
    get: (path = "/", init = {}) => send(client.ports.outbound, init.host ?? "reviews:9080", path, { ...(init.headers ? { headers: init.headers } : {}), ...(init.method ? { method: init.method } : {}) }),
  };
}

function countBy(replies: Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const key = r.status === 200 ? String(r.json().name) : `status ${r.status}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/**
 * The band a share of `n` Bernoulli trials with probability `p` stays in except with
 * probability < 1e-6 (5 standard deviations): wide enough never to flake, narrow enough
 * to catch a wrong split.
 */
function band(p: number, n: number): [number, number] {
  const sd = Math.sqrt((p * (1 - p)) / n);
  return [(p - 5 * sd) * n, (p + 5 * sd) * n];
}

function expectShare(count: number | undefined, p: number, n: number): void {
  const [lo, hi] = band(p, n);
  expect(count ?? 0).toBeGreaterThanOrEqual(lo);
  expect(count ?? 0).toBeLessThanOrEqual(hi);
}

function lastLog(t: TestSidecar): Record<string, unknown> {
  return t.accessLog.at(-1)!;
}

/** Polls `read` until it stops changing for `quietMs` (bounded): fire-and-forget traffic settles. */
async function settled<T>(read: () => T, quietMs = 150, maxMs = 5000): Promise<T> {
  let last = read();
  let since = Date.now();
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) break;
  }
  return last;
}

async function until(cond: () => boolean, maxMs = 5000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("weighted destinations", () => {
  it("splits 80/20 between two subsets within statistical tolerance", async () => {
    const mesh = await reviewsMesh([virtualService([{ route: [to("v1", 80), to("v2", 20)] }])]);
    const n = 400;
    const counts = countBy(await sendMany(n, 8, () => mesh.get()));
    expectShare(counts["reviews-v1"], 0.8, n);
    expectShare(counts["reviews-v2"], 0.2, n);
    expect(counts["reviews-v3"]).toBeUndefined();
    expect(counts["reviews-v1"]! + counts["reviews-v2"]!).toBe(n);
  });

  it("splits by weight / total when weights do not add up to 100, and never sends to weight 0", async () => {
    const mesh = await reviewsMesh([virtualService([{ route: [to("v1", 2), to("v2", 6), to("v3", 0)] }])]);
    const n = 400;
    const counts = countBy(await sendMany(n, 8, () => mesh.get()));
    expectShare(counts["reviews-v1"], 0.25, n);
    expectShare(counts["reviews-v2"], 0.75, n);
    expect(counts["reviews-v3"]).toBeUndefined();
    expect(mesh.apps.v3.requests).toHaveLength(0);
  });
});

describe("request matching", () => {
  const named = (name: string, match: unknown[]) => ({ name, match, route: [to("v1")] });
  const routes = virtualService([
    named("uri-exact", [{ uri: { exact: "/exact" } }]),
    named("uri-prefix", [{ uri: { prefix: "/prefix/" } }]),
    named("uri-regex", [{ uri: { regex: "/items/[0-9]+" } }]),
    named("uri-ignore-case", [{ uri: { exact: "/CaSe" }, ignoreUriCase: true }]),
    named("header-exact", [{ uri: { prefix: "/h" }, headers: { "x-user": { exact: "alice" } } }]),
    named("header-prefix", [{ uri: { prefix: "/h" }, headers: { "x-user": { prefix: "bo" } } }]),
    named("header-regex", [{ uri: { prefix: "/h" }, headers: { "x-user": { regex: "c[a-z]+l" } } }]),
    named("header-present", [{ uri: { prefix: "/h" }, headers: { "x-present": {} } }]),
    named("without-header", [{ uri: { prefix: "/w" }, withoutHeaders: { "x-block": { exact: "yes" } } }]),
    named("query", [{ uri: { prefix: "/q" }, queryParams: { id: { exact: "7" } } }, { uri: { prefix: "/q" }, queryParams: { tag: { regex: "a+" } } }]),
    named("method", [{ uri: { prefix: "/m" }, method: { exact: "POST" } }]),
    named("authority", [{ uri: { prefix: "/a" }, authority: { prefix: "reviews.default.svc" } }]),
    named("first-a", [{ uri: { prefix: "/first" } }]),
    named("first-b", [{ uri: { exact: "/first/exact" } }]),
  ]);

  // Each row: a request and the route that must take it, or "NR" for Envoy's 404 with no route.
  const table: { path: string; route: string; headers?: Record<string, string>; host?: string; method?: string }[] = [
    { path: "/exact", route: "uri-exact" },
    { path: "/exact?x=1", route: "uri-exact" },
    { path: "/exact/", route: "NR" },
    { path: "/prefix/a/b", route: "uri-prefix" },
    { path: "/prefix", route: "NR" },
    { path: "/items/42", route: "uri-regex" },
    { path: "/items/42x", route: "NR" }, // RE2 full match, not a search
    { path: "/case", route: "uri-ignore-case" },
    { path: "/CASE", route: "uri-ignore-case" },
    { path: "/h", route: "header-exact", headers: { "x-user": "alice" } },
    { path: "/h", route: "NR", headers: { "x-user": "Alice" } }, // header values are case sensitive
    { path: "/h", route: "header-prefix", headers: { "x-user": "bob" } },
    { path: "/h", route: "header-regex", headers: { "x-user": "carol" } },
    { path: "/h", route: "NR", headers: { "x-user": "carols" } },
    { path: "/h", route: "header-present", headers: { "x-present": "" } },
    { path: "/h", route: "header-present", headers: { "X-Present": "1" } },
    { path: "/h", route: "NR" },
    { path: "/w", route: "without-header" },
    { path: "/w", route: "without-header", headers: { "x-block": "no" } },
    { path: "/w", route: "NR", headers: { "x-block": "yes" } },
    { path: "/q?id=7", route: "query" },
    { path: "/q?other=1&id=7", route: "query" },
    { path: "/q?id=8", route: "NR" },
    { path: "/q?tag=aaa", route: "query" }, // the second match entry (entries OR)
    { path: "/q?tag=ab", route: "NR" },
    { path: "/m", route: "method", method: "POST" },
    { path: "/m", route: "NR", method: "GET" },
    { path: "/a", route: "authority", host: "reviews.default.svc.cluster.local:9080" },
    { path: "/a", route: "NR", host: "reviews:9080" },
    { path: "/first/exact", route: "first-a" }, // first match wins
  ];

  it("takes the first route whose match holds, for uri, headers, withoutHeaders, queryParams, method and authority", async () => {
    const mesh = await reviewsMesh([routes]);
    const got: string[] = [];
    const want: string[] = [];
    for (const row of table) {
      const before = mesh.apps.v1.requests.length;
      const reply = await mesh.get(row.path, { ...(row.headers ? { headers: row.headers } : {}), ...(row.host ? { host: row.host } : {}), ...(row.method ? { method: row.method } : {}) });
      const log = lastLog(mesh.client);
      const reached = mesh.apps.v1.requests.length - before;
      const label = `${row.method ?? "GET"} ${row.host ?? ""}${row.path} ${JSON.stringify(row.headers ?? {})}`;
      want.push(`${label} -> ${row.route}`);
      if (reply.status === 404 && log.response_flags === "NR" && reached === 0) got.push(`${label} -> NR`);
      else if (reply.status === 200 && reached === 1) got.push(`${label} -> ${String(log.route_name)}`);
      else got.push(`${label} -> status ${reply.status} flags ${String(log.response_flags)} reached ${reached}`);
    }
    expect(got).toEqual(want);
  });
});

describe("subsets", () => {
  it("sends each subset only to the endpoints whose labels it selects", async () => {
    // Two v1 replicas and one v2: subset v1 spreads over both replicas and never reaches v2.
    const v1a = await startUpstream("reviews-v1-a");
    const v1b = await startUpstream("reviews-v1-b");
    const v2 = await startUpstream("reviews-v2");
    const entry = serviceEntry("reviews", 9080, [
      { port: v1a.port, labels: { app: "reviews", version: "v1" } },
      { port: v1b.port, labels: { app: "reviews", version: "v1" } },
      { port: v2.port, labels: { app: "reviews", version: "v2" } },
    ]);
    const subsets = JSON.stringify({ apiVersion: "networking.istio.io/v1", kind: "DestinationRule", metadata: { name: "reviews" }, spec: { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }, { name: "v2", labels: { version: "v2" } }] } });
    const vs = virtualService([
      { match: [{ uri: { prefix: "/one" } }], route: [to("v1")] },
      { match: [{ uri: { prefix: "/two" } }], route: [to("v2")] },
    ]);
    const client = await startSidecar({ yaml: [entry, subsets, vs].join("\n---\n") });
    const ones = countBy(await sendMany(60, 4, () => send(client.ports.outbound, "reviews:9080", "/one")));
    expect(Object.keys(ones).sort()).toEqual(["reviews-v1-a", "reviews-v1-b"]);
    const twos = countBy(await sendMany(20, 4, () => send(client.ports.outbound, "reviews:9080", "/two")));
    expect(twos).toEqual({ "reviews-v2": 20 });
    expect(lastLog(client).upstream_cluster).toBe("outbound|9080|v2|reviews.default.svc.cluster.local");
  });
});

describe("the outbound listener", () => {
  it("routes a proxy-style request by its absolute URL, not its Host header", async () => {
    const mesh = await reviewsMesh([virtualService([{ route: [to("v2")] }])]);
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: mesh.client.ports.outbound, method: "GET", path: "http://reviews:9080/abs/path?x=1", headers: { host: "elsewhere.example" } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).name).toBe("reviews-v2");
    expect(mesh.apps.v2.requests[0]!.path).toBe("/abs/path?x=1");
    expect(mesh.apps.v2.requests[0]!.headers.host).toBe("reviews:9080");
  });

  it("answers 404 with flag NR for an unknown host and for a request no route matches, without reaching any app", async () => {
    const mesh = await reviewsMesh([virtualService([{ match: [{ uri: { prefix: "/known" } }], route: [to("v1")] }])]);
    const unknown = await mesh.get("/known", { host: "nobody.example:80" });
    expect(unknown.status).toBe(404);
    expect(lastLog(mesh.client)).toMatchObject({ response_code: 404, response_flags: "NR", authority: "nobody.example:80" });
    const unmatched = await mesh.get("/unknown");
    expect(unmatched.status).toBe(404);
    expect(lastLog(mesh.client)).toMatchObject({ response_code: 404, response_flags: "NR", path: "/unknown" });
    expect(VERSIONS.map((v) => mesh.apps[v].requests.length)).toEqual([0, 0, 0]);
    // The virtual host's domains carry the service port only: another port is another host.
    expect((await mesh.get("/known", { host: "reviews:1234" })).status).toBe(404);
    expect(lastLog(mesh.client).response_flags).toBe("NR");
    // Host names are case-insensitive and may carry the FQDN's trailing dot.
    expect((await mesh.get("/known", { host: "REVIEWS.default.svc.cluster.local.:9080" })).status).toBe(200);
  });
});

describe("rewrite", () => {
  it("replaces the matched prefix, the whole path on an exact match, the authority, and applies uriRegexRewrite; the query survives", async () => {
    const mesh = await reviewsMesh([
      virtualService([
        { match: [{ uri: { prefix: "/old/" } }], rewrite: { uri: "/new/" }, route: [to("v1")] },
        { match: [{ uri: { exact: "/exact-old" } }], rewrite: { uri: "/replaced" }, route: [to("v1")] },
        { match: [{ uri: { prefix: "/host" } }], rewrite: { authority: "ratings.example:8080" }, route: [to("v1")] },
        { match: [{ uri: { prefix: "/rx/" } }], rewrite: { uriRegexRewrite: { match: "^/rx/([^/]+)/(.*)$", rewrite: "/\\2/\\1" } }, route: [to("v1")] },
        { match: [{ uri: { prefix: "/ALL", }, ignoreUriCase: true }], rewrite: { uri: "/lower" }, route: [to("v1")] },
      ]),
    ]);
    const seen = async (path: string) => {
      expect((await mesh.get(path)).status).toBe(200);
      const r = mesh.apps.v1.requests.at(-1)!;
      return { path: r.path, host: r.headers.host };
    };
    expect(await seen("/old/a/b?q=1")).toEqual({ path: "/new/a/b?q=1", host: "reviews:9080" });
    expect(await seen("/exact-old?q=2")).toEqual({ path: "/replaced?q=2", host: "reviews:9080" });
    expect(await seen("/host/x")).toEqual({ path: "/host/x", host: "ratings.example:8080" });
    expect(await seen("/rx/first/second/third?z=9")).toEqual({ path: "/second/third/first?z=9", host: "reviews:9080" });
    // Envoy replaces the matched prefix case-insensitively when the match ignores case.
    expect(await seen("/all/rest")).toEqual({ path: "/lower/rest", host: "reviews:9080" });
    // The access log keeps the original path, as Envoy's %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%.
    expect(lastLog(mesh.client).path).toBe("/all/rest");
  });
});

describe("redirect and direct response", () => {
  it("redirects with the configured status and a Location built like Envoy's", async () => {
    const mesh = await reviewsMesh([
      virtualService([
        { match: [{ uri: { exact: "/moved" } }], redirect: { uri: "/new-home" } },
        { match: [{ uri: { exact: "/away" } }], redirect: { uri: "/there", authority: "other.example", redirectCode: 302 } },
        { match: [{ uri: { exact: "/secure" } }], redirect: { scheme: "https", port: 8443 } },
        { match: [{ uri: { exact: "/both" } }], redirect: { authority: "other.example", port: 8443, uri: "/p?fixed=1" } },
      ]),
    ]);
    const moved = await mesh.get("/moved?keep=1");
    expect(moved.status).toBe(301);
    // Envoy keeps the request's query unless the new path carries its own.
    expect(moved.headers.location).toBe("http://reviews:9080/new-home?keep=1");
    const away = await mesh.get("/away");
    expect(away.status).toBe(302);
    expect(away.headers.location).toBe("http://other.example/there");
    const secure = await mesh.get("/secure");
    expect(secure.headers.location).toBe("https://reviews:8443/secure");
    // host_redirect and port_redirect combine; a query in the new path replaces the request's.
    const both = await mesh.get("/both?dropped=1");
    expect(both.headers.location).toBe("http://other.example:8443/p?fixed=1");
    expect(VERSIONS.map((v) => mesh.apps[v].requests.length)).toEqual([0, 0, 0]);
    expect(lastLog(mesh.client)).toMatchObject({ response_code: 301, response_flags: "-" });
  });

  it("answers a direct response with its status and body, with the route's response headers", async () => {
    const mesh = await reviewsMesh([
      virtualService([
        { match: [{ uri: { exact: "/teapot" } }], directResponse: { status: 418, body: { string: "short and stout" } }, headers: { response: { set: { "x-direct": "yes" } } } },
        { match: [{ uri: { exact: "/empty" } }], directResponse: { status: 204 } },
        { match: [{ uri: { exact: "/bytes" } }], directResponse: { status: 200, body: { bytes: Buffer.from("from bytes").toString("base64") } } },
      ]),
    ]);
    const teapot = await mesh.get("/teapot");
    expect(teapot.status).toBe(418);
    expect(teapot.text).toBe("short and stout");
    expect(teapot.headers["x-direct"]).toBe("yes");
    const empty = await mesh.get("/empty");
    expect(empty.status).toBe(204);
    expect(empty.text).toBe("");
    expect((await mesh.get("/bytes")).text).toBe("from bytes");
    expect(VERSIONS.map((v) => mesh.apps[v].requests.length)).toEqual([0, 0, 0]);
  });
});

describe("header operations", () => {
  /** Answers with the request headers it saw and a few response headers for the sidecar to edit. */
  const echo =
    (name: string): UpstreamHandler =>
    (req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-upstream-remove": "1", "x-upstream-keep": "1", "x-resp-set": "upstream" });
      res.end(JSON.stringify({ name, headers: req.headers }));
    };

  it("sets, adds and removes request and response headers at route and destination level", async () => {
    const mesh = await reviewsMesh(
      [
        virtualService([
          {
            headers: {
              request: { set: { "x-set": "route", "x-both": "route" }, add: { "x-add": "route" }, remove: ["x-remove-me"] },
              response: { set: { "x-resp-set": "route" }, add: { "x-resp-add": "route" }, remove: ["x-upstream-remove"] },
            },
            route: [
              to("v1", 50, { request: { set: { "x-dest": "v1", "x-both": "dest" } }, response: { set: { "x-served-by": "v1" } } }),
              to("v2", 50, { request: { set: { "x-dest": "v2" }, remove: ["x-dest-remove"] }, response: { set: { "x-served-by": "v2" }, remove: ["x-upstream-keep"] } }),
            ],
          },
        ]),
      ],
      { v1: echo("reviews-v1"), v2: echo("reviews-v2") },
    );
    const replies = await sendMany(40, 4, () => mesh.get("/", { headers: { "x-set": "client", "x-add": "client", "x-remove-me": "1", "x-dest-remove": "1", "x-keep": "client" } }));
    const seen = new Set<string>();
    for (const r of replies) {
      expect(r.status).toBe(200);
      const body = r.json<{ name: string; headers: Record<string, string> }>();
      const v = body.name === "reviews-v1" ? "v1" : "v2";
      seen.add(v);
      const h = body.headers;
      // Route level: set replaces the caller's value, add appends to it, remove drops it.
      expect(h["x-set"]).toBe("route");
      expect(h["x-add"]).toBe("client, route");
      expect(h["x-remove-me"]).toBeUndefined();
      expect(h["x-keep"]).toBe("client");
      // Destination level: only the chosen destination's operations apply.
      expect(h["x-dest"]).toBe(v);
      expect(r.headers["x-served-by"]).toBe(v);
      expect(h["x-dest-remove"]).toBe(v === "v2" ? undefined : "1");
      expect(r.headers["x-upstream-keep"]).toBe(v === "v2" ? undefined : "1");
      // Envoy evaluates the weighted cluster's headers first, then the route's, so on a
      // conflict the route's set wins (most_specific_header_mutations_wins is false by
      // default and Istio leaves it so): envoy source/common/router/config_impl.cc.
      expect(h["x-both"]).toBe("route");
      expect(r.headers["x-resp-set"]).toBe("route");
      expect(r.headers["x-resp-add"]).toBe("route");
      expect(r.headers["x-upstream-remove"]).toBeUndefined();
    }
    expect([...seen].sort()).toEqual(["v1", "v2"]);
  });
});

describe("mirror", () => {
  it("copies the configured share of requests to the mirror with a -shadow host and answers with the primary", async () => {
    const mesh = await reviewsMesh([virtualService([{ route: [to("v1")], mirror: { host: "reviews", subset: "v3" }, mirrorPercentage: { value: 50 } }])]);
    const n = 300;
    const replies = await sendMany(n, 8, (i) => mesh.get(`/m/${i}`, { host: "reviews" }));
    expect(countBy(replies)).toEqual({ "reviews-v1": n });
    const mirrored = await settled(() => mesh.apps.v3.requests.length);
    expectShare(mirrored, 0.5, n);
    for (const r of mesh.apps.v3.requests) {
      expect(r.headers.host).toBe("reviews-shadow");
      expect(r.path).toMatch(/^\/m\/\d+$/);
    }
    // Each copy is a request the primary also served, not an extra one.
    const primaryPaths = new Set(mesh.apps.v1.requests.map((r) => r.path));
    expect(mesh.apps.v3.requests.every((r) => primaryPaths.has(r.path))).toBe(true);
    expect(mesh.apps.v2.requests).toHaveLength(0);
  });

  it("does not wait for the mirror's answer", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const mesh = await reviewsMesh([virtualService([{ route: [to("v1")], mirror: { host: "reviews", subset: "v2" } }])], {
      v2: async (_req, res) => {
        await gate;
        res.end("late");
      },
    });
    const reply = await mesh.get("/");
    expect(reply.status).toBe(200);
    expect(reply.json().name).toBe("reviews-v1");
    await until(() => mesh.apps.v2.requests.length === 1);
    release();
  });

  // Envoy keeps the port after the suffix (router/shadow_writer_impl.cc shadowAppendedHost):
  // "reviews:9080" becomes "reviews-shadow:9080". The copy is built in sidecar.ts, which
  // still drops the port; flip this to `it` once it keeps it.
  it("keeps the authority's port after the -shadow suffix, as Envoy does", async () => {
    const mesh = await reviewsMesh([virtualService([{ route: [to("v1")], mirror: { host: "reviews", subset: "v2" } }])]);
    await mesh.get("/", { host: "reviews:9080" });
    await until(() => mesh.apps.v2.requests.length === 1);
    expect(mesh.apps.v2.requests[0]!.headers.host).toBe("reviews-shadow:9080");
  });
});

describe("config reload", () => {
  it("routes the next request by the new config while an in-flight request finishes on the old route", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowV1: UpstreamHandler = async (req, res) => {
      if (req.path === "/slow") await gate;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ name: "reviews-v1", path: req.path }));
    };
    const mesh = await reviewsMesh([virtualService([{ route: [to("v1")] }])], { v1: slowV1 });
    const inFlight = mesh.get("/slow");
    await until(() => mesh.apps.v1.requests.length === 1);
    // The new config no longer names subset v1, so its cluster leaves the snapshot too.
    mesh.client.apply(mesh.yamlWith(virtualService([{ route: [to("v2")] }])));
    expect(Object.keys(mesh.client.sidecar.current()!.clusters).some((c) => c.includes("|v1|"))).toBe(false);
    const next = await mesh.get("/next");
    expect(next.json().name).toBe("reviews-v2");
    release();
    const old = await inFlight;
    expect(old.status).toBe(200);
    expect(old.json()).toMatchObject({ name: "reviews-v1", path: "/slow" });
    // And back again, on the same keep-alive connections.
    mesh.client.apply(mesh.yamlWith(virtualService([{ route: [to("v3")] }])));
    expect((await mesh.get("/again")).json().name).toBe("reviews-v3");
  });
});
