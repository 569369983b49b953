import { test, expect } from "./fixtures.ts";

test("the traces page lists traces, and one opens as a span waterfall with all its spans", async ({ viewerPage: page, mesh }) => {
  await page.goto("/traces");
  await page.getByTestId("traces-service").selectOption("traffic.shop");
  await page.getByTestId("traces-search").click();
  await expect(page).toHaveURL(/service=traffic\.shop/);
  const table = page.getByTestId("traces-table");
  await expect(table).toBeVisible();
  const rows = page.getByTestId("trace-row");
  await expect(rows.first()).toBeVisible();

  // The trace with the most spans: the newest may still miss spans (sidecars export every
  // 5 s), and the mesh's first requests ran before every route was pushed.
  const headers = await table.getByRole("columnheader").allInnerTexts();
  const column = headers.findIndex((h) => /^spans$/i.test(h.trim()));
  expect(column, `a Spans column among ${headers.join(", ")}`).toBeGreaterThanOrEqual(0);
  const counts = await rows.evaluateAll((rs, c) => rs.map((r) => Number((r as unknown as { cells: { textContent: string }[] }).cells[c]?.textContent)), column);
  const richest = counts.indexOf(Math.max(...counts));
  await rows.nth(richest).getByRole("link").click();

  await expect(page).toHaveURL(/\/traces\/[0-9a-f]{32}$/);
  const traceId = /\/traces\/([0-9a-f]{32})$/.exec(page.url())![1]!;
  const stored = await mesh.cp<{ data: { spans: unknown[] }[] }>("GET", `/api/traces/${traceId}`);
  const spans = stored.body.data[0]!.spans.length;
  // traffic -> productpage -> details and reviews (-> ratings): a client and a server span per hop.
  expect(spans).toBeGreaterThanOrEqual(6);
  await expect(page.getByTestId("trace-waterfall")).toBeVisible();
  await expect(page.getByTestId("span-row")).toHaveCount(spans);
  await expect(page.getByTestId("trace-waterfall")).toContainText("productpage");
  await expect(page.getByTestId("trace-waterfall")).toContainText("reviews");
});
