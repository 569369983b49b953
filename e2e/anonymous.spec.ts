import { test, expect } from "./fixtures.ts";

test.describe("anonymous-editor mode", () => {
  test("a console in that mode shows the banner and makes the visitor the anonymous editor without a sign-in", async ({ page, anonymousConsoleUrl }) => {
    await page.goto(anonymousConsoleUrl + "/");
    await expect(page.getByTestId("anonymous-banner")).toBeVisible();
    await expect(page.getByTestId("anonymous-banner")).toContainText(/anonymous/i);
    await expect(page.getByTestId("whoami")).toContainText("anonymous · editor");
    await expect(page).not.toHaveURL(/\/login/);
  });

  test("a console with sign-in shows no banner", async ({ editorPage: page }) => {
    await page.goto("/");
    await expect(page.getByTestId("whoami")).toContainText("editor · editor");
    await expect(page.getByTestId("anonymous-banner")).toHaveCount(0);
  });
});
