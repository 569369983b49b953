import type { IncomingMessage, ServerResponse } from "node:http";
import { callService, json, propagate, serve, sleep, type AppEnv } from "./app-env.ts";

/**
 * The demo shop, after Istio's bookinfo: productpage calls details and reviews; reviews
 * v2 and v3 call ratings (v2 shows black stars, v3 red). Each app has a little latency
 * and a small error rate, so the graph has something to show.
 */

/** Latency with a long tail: mostly `base`..2x`base`, sometimes up to 6x. */
function latency(base: number, rnd = Math.random): number {
  const r = rnd();
  return r < 0.95 ? base + rnd() * base : base * (2 + rnd() * 4);
}

const PRODUCTS = [
  { id: 0, title: "The Comedy of Errors", author: "William Shakespeare", year: 1595, pages: 200, isbn: "1234567890" },
  { id: 1, title: "A Midsummer Night's Dream", author: "William Shakespeare", year: 1600, pages: 180, isbn: "1234567891" },
];

export async function runDetails(env: AppEnv) {
  return serve(env, async (req, res) => {
    await sleep(latency(6));
    const m = /^\/details\/(\d+)/.exec(req.url ?? "");
    if (!m) return health(req, res, env);
    // details fails now and then: about 1% of requests.
    if (Math.random() < 0.01) return json(res, 503, { error: "details backend unavailable" });
    const p = PRODUCTS[Number(m[1]) % PRODUCTS.length]!;
    json(res, 200, { ...p, type: "paperback", publisher: "PublisherA", language: "English", servedBy: `${env.workload} (${env.version})` });
  });
}

export async function runRatings(env: AppEnv) {
  return serve(env, async (req, res) => {
    await sleep(latency(8));
    const m = /^\/ratings\/(\d+)/.exec(req.url ?? "");
    if (!m) return health(req, res, env);
    if (Math.random() < 0.02) return json(res, 500, { error: "ratings database timeout" });
    json(res, 200, { id: Number(m[1]), ratings: { Reviewer1: 5, Reviewer2: 4 }, servedBy: `${env.workload} (${env.version})` });
  });
}

export async function runReviews(env: AppEnv) {
  const stars = env.version === "v2" ? "black" : env.version === "v3" ? "red" : undefined;
  return serve(env, async (req, res) => {
    await sleep(latency(10));
    const m = /^\/reviews\/(\d+)/.exec(req.url ?? "");
    if (!m) return health(req, res, env);
    const reviews: Record<string, unknown>[] = [
      { reviewer: "Reviewer1", text: "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!" },
      { reviewer: "Reviewer2", text: "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare." },
    ];
    if (stars) {
      const r = await callService(env, "ratings:9080", `/ratings/${m[1]}`, propagate(req)).catch(() => ({ status: 503, body: "" }));
      const ratings = r.status === 200 ? (JSON.parse(r.body) as { ratings: Record<string, number> }).ratings : undefined;
      reviews.forEach((rv) => (rv.rating = ratings ? { stars: ratings[rv.reviewer as string], color: stars } : { error: "Ratings service is currently unavailable" }));
    }
    json(res, 200, { id: Number(m[1]), podname: env.workload, version: env.version, reviews });
  });
}

export async function runProductpage(env: AppEnv) {
  return serve(env, async (req, res) => {
    const url = new URL(req.url ?? "/", "http://productpage");
    const m = /^\/(?:api\/v1\/products|productpage)\/?(\d+)?/.exec(url.pathname);
    if (!m) return health(req, res, env);
    const id = Number(m[1] ?? 0);
    const headers = propagate(req);
    const [details, reviews] = await Promise.all([
      callService(env, "details:9080", `/details/${id}`, headers).catch((e: Error) => ({ status: 503, body: JSON.stringify({ error: e.message }) })),
      callService(env, "reviews:9080", `/reviews/${id}`, headers).catch((e: Error) => ({ status: 503, body: JSON.stringify({ error: e.message }) })),
    ]);
    await sleep(latency(3));
    const parse = (b: string) => {
      try {
        return JSON.parse(b) as unknown;
      } catch {
        return { error: b };
      }
    };
    // Like bookinfo, the page renders even when a backend fails; only both failing is an error.
    const status = details.status >= 500 && reviews.status >= 500 ? 503 : 200;
    json(res, status, { product: id, user: req.headers["end-user"] ?? null, details: parse(details.body), reviews: parse(reviews.body), statuses: { details: details.status, reviews: reviews.status } });
  });
}

function health(req: IncomingMessage, res: ServerResponse, env: AppEnv): void {
  if (req.url === "/health" || req.url === "/") return json(res, 200, { status: "ok", workload: env.workload, version: env.version });
  json(res, 404, { error: `no such path: ${req.url}` });
}
