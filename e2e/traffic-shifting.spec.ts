import { test, expect } from "./fixtures.ts";
import { sleep, type TestMesh } from "./mesh.ts";

/** reviews requests per destination version over the last `seconds`, as shares of the total. */
async function reviewsShares(mesh: TestMesh, seconds: number): Promise<Record<string, number>> {
  const samples = await mesh.promQuery(`sum by (destination_version) (increase(istio_requests_total{reporter="destination",destination_service_name="reviews",destination_service_namespace="shop"}[${seconds}s]))`);
  const total = samples.reduce((s, x) => s + Number(x.value[1]), 0);
  return Object.fromEntries(samples.map((x) => [x.metric.destination_version ?? "?", total > 0 ? Number(x.value[1]) / total : 0]));
}

test("moving the sliders to 50/50 and applying makes Prometheus show reviews traffic near 50/50 within a minute", async ({ editorPage: page, mesh, meshConfig, trafficRate }) => {
  test.setTimeout(180_000);
  await meshConfig.preserve("VirtualService", "shop", "reviews");
  await meshConfig.preserve("DestinationRule", "shop", "reviews");
  // More requests per second make 30 s of samples a steadier measure of the split.
  await trafficRate(20);

  await page.goto("/config/wizards/traffic-shifting?namespace=shop&service=reviews");
  // The demo starts at v1 80 / v3 20; v2 only gets the "jason" route, which the wizard leaves alone.
  await expect(page.getByTestId("weight-input-v1")).toHaveValue("80");
  await page.getByTestId("weight-input-v2").fill("0");
  await page.getByTestId("weight-lock-v2").click();
  await page.getByTestId("weight-input-v1").fill("50");
  await page.getByTestId("weight-input-v3").fill("50");
  await expect(page.getByTestId("weight-input-v1")).toHaveValue("50");
  await expect(page.getByTestId("weight-input-v2")).toHaveValue("0");
  await expect(page.getByTestId("weight-input-v3")).toHaveValue("50");
  await expect(page.getByTestId("weight-total")).toContainText("100");
  await expect(page.getByTestId("wizard-yaml")).toContainText(/weight: 50/);

  await page.getByTestId("wizard-apply").click();
  await expect(page.getByTestId("wizard-result")).toBeVisible();
  await expect(page.getByTestId("wizard-error")).toHaveCount(0);
  const applied = Date.now();

  const vs = await mesh.resource("VirtualService", "shop", "reviews");
  const http = (vs?.spec.http ?? []) as { match?: unknown[]; route?: { destination: { subset?: string }; weight?: number }[] }[];
  const defaultRoute = http.findLast((r) => !r.match || r.match.length === 0);
  expect(defaultRoute?.route?.map((d) => [d.destination.subset, d.weight])).toEqual([
    ["v1", 50],
    ["v3", 50],
  ]);

  // Judged on traffic since the apply only: a window that starts a scrape interval (5 s)
  // after it, up to 30 s long. At 20 req/s that is a few hundred requests, so ±10 points
  // between v1 and v3 is several standard deviations wide; v2 keeps only the "jason" route.
  let shares: Record<string, number> = {};
  let split = 0;
  for (;;) {
    const elapsed = (Date.now() - applied) / 1000;
    if (elapsed >= 20) {
      shares = await reviewsShares(mesh, Math.min(30, Math.floor(elapsed - 5)));
      split = (shares.v1 ?? 0) / ((shares.v1 ?? 0) + (shares.v3 ?? 0) || 1);
      if (Math.abs(split - 0.5) <= 0.1 && (shares.v2 ?? 0) < 0.2) break;
    }
    if (elapsed > 60) throw new Error(`reviews traffic since the apply was not near 50/50 between v1 and v3 within 60 s: v1/(v1+v3) = ${split.toFixed(2)}, shares ${JSON.stringify(shares)}`);
    await sleep(2_000);
  }
  test.info().annotations.push({ type: "measured", description: `v1/(v1+v3) = ${split.toFixed(2)} after ${((Date.now() - applied) / 1000).toFixed(0)} s; shares ${JSON.stringify(shares)}` });
});
