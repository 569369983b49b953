/**
 * Tracing across the demo shop under `skein up`: one request from the traffic workload as
 * the user "jason" goes productpage -> reviews v2 (the shop's VirtualService sends jason
 * there) -> ratings; every sidecar on the way exports its spans to the control plane, and
 * the Jaeger-shaped API returns them as one trace whose references link the hops.
 */
import { randomUUID } from "node:crypto";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import type { JaegerSpan, JaegerTrace } from "@skein/shared";
import { SHOP_MESH_FILE, sleep, usingSkeinUp } from "./skein-up.ts";

const startMesh = usingSkeinUp();

async function getTraces(url: string): Promise<JaegerTrace[]> {
  const r = await request(url, { signal: AbortSignal.timeout(5000) });
  const body = (await r.body.json()) as { data?: JaegerTrace[]; error?: unknown };
  if (r.statusCode !== 200) throw new Error(`GET ${url}: ${r.statusCode} ${JSON.stringify(body)}`);
  return body.data!;
}

const tag = (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value;

interface ShopPage {
  user: string | null;
  statuses: { details: number; reviews: number };
  reviews: { podname: string; reviews: { rating?: { color?: string } }[] };
}

/** productpage answered for jason with details and reviews v2, and reviews got its ratings. */
function cleanJasonPage(page: ShopPage | undefined): boolean {
  return page?.statuses.details === 200 && page.statuses.reviews === 200 && page.reviews.podname === "reviews-v2" && page.reviews.reviews.every((r) => r.rating?.color === "black");
}

describe("a request chain through the shop is one trace", () => {
  it("stores the spans of productpage -> reviews v2 -> ratings and returns them as one trace, by service and by id", { timeout: 90_000 }, async () => {
    const { mesh, status } = await startMesh({ file: SHOP_MESH_FILE });
    const cp = status.controlPlane.url;
    // The shop's details and ratings fail now and then on purpose (1% and 2%): take the
    // first of a few requests that went through cleanly, named by its x-request-id.
    let requestId = "";
    let page: ShopPage | undefined;
    for (let attempt = 0; attempt < 4 && !cleanJasonPage(page); attempt++) {
      requestId = randomUUID();
      const r = await mesh.skein("curl", "traffic", "-n", "shop", "http://productpage:9080/productpage/1", "-H", "end-user: jason", "-H", `x-request-id: ${requestId}`);
      expect(r.code, r.stderr).toBe(0);
      page = JSON.parse(r.stdout) as ShopPage;
    }
    expect(page).toMatchObject({ user: "jason", statuses: { details: 200, reviews: 200 }, reviews: { podname: "reviews-v2" } });
    expect(page!.reviews.reviews.map((r) => r.rating?.color)).toEqual(["black", "black"]);

    // Sidecars export in batches: poll (bounded) until all eight spans (a client and a server span per hop) have arrived.
    const search = `${cp}/api/traces?service=ratings.shop&lookback=1h&limit=20&tags=${encodeURIComponent(JSON.stringify({ "guid:x-request-id": requestId }))}`;
    let found: JaegerTrace[] = [];
    const until = Date.now() + 20_000;
    const complete = (t: JaegerTrace[]) => t.length === 1 && t[0]!.spans.length >= 8;
    while (!complete(found) && Date.now() < until) {
      await sleep(250);
      found = await getTraces(search);
    }
    expect(found.map((t) => t.spans.length)).toHaveLength(1);
    const trace = found[0]!;
    const service = (s: JaegerSpan) => trace.processes[s.processID]!.serviceName;
    const spans = trace.spans;
    expect(spans.every((s) => s.traceID === trace.traceID)).toBe(true);

    // Walk the chain from the root: each hop's span is the child of the one before, across five sidecars.
    const byId = new Map(spans.map((s) => [s.spanID, s]));
    const childOf = (parent: JaegerSpan, where: (s: JaegerSpan) => boolean) => {
      const kids = spans.filter((s) => s.references.some((r) => r.refType === "CHILD_OF" && r.spanID === parent.spanID && r.traceID === trace.traceID) && where(s));
      expect(kids, `children of ${service(parent)} ${parent.operationName}`).toHaveLength(1);
      return kids[0]!;
    };
    const roots = spans.filter((s) => !s.references.some((r) => byId.has(r.spanID)));
    expect(roots.map((s) => [service(s), tag(s, "span.kind")])).toEqual([["traffic.shop", "client"]]);
    const root = roots[0]!;
    expect(tag(root, "upstream_cluster")).toBe("outbound|9080||productpage.shop.svc.cluster.local");
    const productpage = childOf(root, (s) => service(s) === "productpage.shop" && tag(s, "span.kind") === "server");
    const toReviews = childOf(productpage, (s) => tag(s, "span.kind") === "client" && String(tag(s, "upstream_cluster")).includes("|reviews."));
    expect(tag(toReviews, "upstream_cluster")).toBe("outbound|9080|v2|reviews.shop.svc.cluster.local");
    const reviews = childOf(toReviews, (s) => service(s) === "reviews.shop" && tag(s, "span.kind") === "server");
    expect(tag(reviews, "node_id")).toMatch(/~reviews-v2\.shop~/);
    const toRatings = childOf(reviews, (s) => tag(s, "span.kind") === "client");
    expect(tag(toRatings, "upstream_cluster")).toBe("outbound|9080||ratings.shop.svc.cluster.local");
    const ratings = childOf(toRatings, (s) => service(s) === "ratings.shop" && tag(s, "span.kind") === "server");
    expect(tag(ratings, "node_id")).toMatch(/~ratings-v1\.shop~/);
    // productpage also called details, in the same trace (a retried 503 may add spans there, so at least one each).
    const toDetails = spans.filter((s) => s.references.some((r) => r.spanID === productpage.spanID) && String(tag(s, "upstream_cluster")).includes("|details."));
    expect(toDetails.length).toBeGreaterThanOrEqual(1);
    expect(spans.some((s) => service(s) === "details.shop" && s.references.some((r) => toDetails.some((d) => d.spanID === r.spanID)))).toBe(true);
    for (const s of [root, productpage, toReviews, reviews, toRatings, ratings]) expect(tag(s, "guid:x-request-id")).toBe(requestId);

    // By id: the same trace, with every span.
    const [byTraceId] = await getTraces(`${cp}/api/traces/${trace.traceID}`);
    expect(byTraceId!.traceID).toBe(trace.traceID);
    expect(byTraceId!.spans.map((s) => s.spanID).sort()).toEqual(spans.map((s) => s.spanID).sort());
  });
});
