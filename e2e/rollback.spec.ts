import { test, expect } from "./fixtures.ts";
import { asDocument, sleep, type TestMesh } from "./mesh.ts";

/** The versions of reviews that answer `n` requests sent through the traffic workload's sidecar. */
async function reviewsVersions(mesh: TestMesh, n: number, headers: Record<string, string> = {}): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = await mesh.viaSidecar("traffic", { host: "reviews:9080", path: "/reviews/1", headers });
    if (r.status === 200) seen.add((JSON.parse(r.body) as { version: string }).version);
  }
  return seen;
}

/** Polls until the mesh routes default reviews traffic to exactly `versions` (pushes land in well under a second). */
async function expectRouting(mesh: TestMesh, versions: string[], samples: number): Promise<void> {
  const until = Date.now() + 15_000;
  let seen = new Set<string>();
  while (Date.now() < until) {
    seen = await reviewsVersions(mesh, samples);
    if ([...seen].sort().join() === [...versions].sort().join()) return;
    await sleep(500);
  }
  throw new Error(`reviews answered from ${[...seen].join(", ") || "nothing"}, not ${versions.join(", ")}`);
}

test("rollback from the editor's history restores the previous routing", async ({ editorPage: page, editorApi, mesh, meshConfig }) => {
  const before = await meshConfig.preserve("VirtualService", "shop", "reviews");
  expect(before, "the demo's reviews VirtualService").toBeDefined();
  const history = async () => (await mesh.cp<{ items: { id: number }[] }>("GET", "/api/v1/history?kind=VirtualService&namespace=shop&name=reviews&limit=5")).body.items;
  const previous = (await history())[0]!;

  // The change: every default-route request to v3, applied as the editor through the console's API.
  const http = structuredClone(before!.spec.http) as { match?: unknown[]; route: unknown[] }[];
  http[http.length - 1]!.route = [{ destination: { host: "reviews", subset: "v3" } }];
  const changed = asDocument({ ...before!, spec: { ...before!.spec, http } });
  const res = await editorApi.request.post("/api/cp/api/v1/apply", { data: { files: [{ file: "reviews.yaml", text: changed }], message: "e2e: all to v3" }, headers: { "x-skein-csrf": editorApi.csrfToken } });
  expect(res.status(), await res.text()).toBe(200);
  await expectRouting(mesh, ["v3"], 10);

  await page.goto("/config/VirtualService/shop/reviews");
  await expect(page.getByTestId("yaml-editor")).toBeVisible();
  await page.getByTestId("history-button").click();
  await expect(page.getByTestId("history-list")).toBeVisible();
  await page.getByTestId(`rollback-${previous.id}`).click();

  await expect.poll(async () => JSON.stringify((await mesh.resource("VirtualService", "shop", "reviews"))?.spec), { timeout: 15_000 }).toBe(JSON.stringify(before!.spec));
  const newest = (await history())[0]!;
  expect(newest.id).toBeGreaterThan(previous.id);
  // 80/20 between v1 and v3 again: both answer within a few dozen requests.
  await expectRouting(mesh, ["v1", "v3"], 30);
  expect(await reviewsVersions(mesh, 3, { "end-user": "jason" })).toEqual(new Set(["v2"]));
});
