import type { Page } from "@playwright/test";
import { test, expect } from "./fixtures.ts";
import type { TestMesh } from "./mesh.ts";

async function testRoute(page: Page, headers: string): Promise<void> {
  await page.goto("/route-tester");
  // Sources are registered workloads, "<namespace>/<name>"; selectOption waits for the list to load.
  await page.getByTestId("rt-source").selectOption("shop/traffic");
  await page.getByTestId("rt-host").fill("reviews");
  await page.getByTestId("rt-method").selectOption("GET");
  await page.getByTestId("rt-path").fill("/reviews/1");
  await page.getByTestId("rt-headers").fill(headers);
  await page.getByTestId("rt-submit").click();
  await expect(page.getByTestId("rt-result")).toBeVisible();
}

async function versionsThroughSidecar(mesh: TestMesh, n: number, headers: Record<string, string>): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = await mesh.viaSidecar("traffic", { host: "reviews:9080", path: "/reviews/1", headers });
    expect(r.status, r.body).toBe(200);
    seen.add((JSON.parse(r.body) as { version: string }).version);
  }
  return seen;
}

test.describe("route tester", () => {
  test("with end-user: jason it names the subset the VirtualService names, and the mesh sends the request there", async ({ viewerPage: page, mesh }) => {
    await testRoute(page, "end-user: jason");
    const destinations = page.getByTestId("rt-destination");
    await expect(destinations).toHaveCount(1);
    await expect(destinations.first()).toHaveAttribute("data-subset", "v2");
    await expect(page.getByTestId("rt-authz")).toHaveAttribute("data-allowed", "true");

    const vs = await mesh.resource("VirtualService", "shop", "reviews");
    const jasonRoute = (vs!.spec.http as { match?: { headers?: Record<string, { exact?: string }> }[]; route: { destination: { subset: string } }[] }[]).find((r) => r.match?.some((m) => m.headers?.["end-user"]?.exact === "jason"));
    expect(jasonRoute?.route.map((d) => d.destination.subset)).toEqual(["v2"]);
    expect(await versionsThroughSidecar(mesh, 5, { "end-user": "jason" })).toEqual(new Set(["v2"]));
  });

  test("without the header it shows the weighted split, and the mesh answers only from those subsets", async ({ viewerPage: page, mesh }) => {
    await testRoute(page, "");
    const destinations = page.getByTestId("rt-destinations");
    await expect(destinations).toBeVisible();
    const subsets = await page.getByTestId("rt-destination").evaluateAll((els) => els.map((e) => e.getAttribute("data-subset")));
    expect(subsets.sort()).toEqual(["v1", "v3"]);
    await expect(page.getByTestId("rt-destination").and(page.locator('[data-subset="v1"]'))).toHaveAttribute("data-weight", "80");
    await expect(page.getByTestId("rt-destination").and(page.locator('[data-subset="v3"]'))).toHaveAttribute("data-weight", "20");

    const seen = await versionsThroughSidecar(mesh, 20, {});
    expect([...seen].every((v) => subsets.includes(v)), `answered by ${[...seen].join(", ")}`).toBe(true);
    expect(seen.has("v2")).toBe(false);
    expect(seen.has("v1"), "80% of 20 requests go to v1").toBe(true);
  });
});
