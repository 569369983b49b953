import { test, expect } from "./fixtures.ts";

test("typing an invalid weight shows a diagnostic on its line and disables Apply", async ({ editorPage: page, meshConfig }) => {
  // Nothing is applied here; preserved in case a broken Apply button lets it through.
  await meshConfig.preserve("VirtualService", "shop", "reviews");
  await page.goto("/config/VirtualService/shop/reviews");
  const editor = page.getByTestId("yaml-editor");
  await expect(editor).toBeVisible();
  const lines = editor.locator(".cm-line");
  await expect(lines.filter({ hasText: /weight: 80\s*$/ })).toHaveCount(1);
  await expect(page.getByTestId("diagnostic").and(page.locator('[data-severity="error"]'))).toHaveCount(0);

  // CodeMirror renders the whole of a document this short, so the n-th line element is line n.
  const texts = await lines.allInnerTexts();
  const line = texts.findIndex((t) => /weight: 80\s*$/.test(t)) + 1;
  await lines.nth(line - 1).click();
  await page.keyboard.press("End");
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  // Istio's weights are relative (150 is valid, and they need not add up to 100); a negative one is not.
  await page.keyboard.type("-5");
  await expect(lines.nth(line - 1)).toHaveText(/weight: -5\s*$/);

  const diagnostic = page.getByTestId("diagnostic").and(page.locator(`[data-line="${line}"]`));
  await expect(diagnostic.first()).toBeVisible();
  await expect(diagnostic.first()).toHaveAttribute("data-severity", "error");
  await expect(diagnostic.first()).toContainText(/weight -5 < 0/);
  await expect(page.getByTestId("apply-button")).toBeDisabled();

  // Putting the weight back clears the diagnostic.
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await page.keyboard.type("80");
  await expect(page.getByTestId("diagnostic").and(page.locator(`[data-line="${line}"]`))).toHaveCount(0);
});
