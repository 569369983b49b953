import { test, expect } from "./fixtures.ts";
import { USERS } from "./mesh.ts";

const reviewsVs = "/config/VirtualService/shop/reviews";

test.describe("sign-in and roles", () => {
  test("a wrong password is refused with a message", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("User name").fill(USERS.editor.username);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    // Next.js keeps an empty route announcer with role=alert on every page.
    await expect(page.getByRole("alert").filter({ hasText: /wrong user name or password/i })).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
  });

  for (const user of ["editor", "viewer"] as const) {
    test(`${user} signs in and lands where they were going`, async ({ page }) => {
      await page.goto(`/login?next=${encodeURIComponent("/traces")}`);
      await page.getByLabel("User name").fill(USERS[user].username);
      await page.getByLabel("Password").fill(USERS[user].password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByTestId("whoami")).toContainText(`${USERS[user].username} · ${USERS[user].role}`);
      await expect(page).toHaveURL(/\/traces$/);
    });
  }

  test("a signed-out visitor is sent to /login", async ({ page }) => {
    await page.goto("/config");
    await expect(page).toHaveURL(/\/login\?next=%2Fconfig/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    const api = await page.request.get("/api/cp/api/v1/resources?kind=VirtualService");
    expect(api.status()).toBe(401);
  });

  test("a mutation without the CSRF header is refused", async ({ editorApi, mesh }) => {
    const before = await mesh.resource("VirtualService", "shop", "reviews");
    const res = await editorApi.request.post("/api/cp/api/v1/apply", { data: { files: [{ file: "x.yaml", text: "" }], dryRun: true } });
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("CsrfTokenMissing");
    expect((await mesh.resource("VirtualService", "shop", "reviews"))?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  test("a viewer's apply is refused with 403, and the editor's Apply button is disabled for them", async ({ viewerApi, viewerPage, mesh }) => {
    const vs = await mesh.resource("VirtualService", "shop", "reviews");
    const text = JSON.stringify({ apiVersion: vs!.apiVersion, kind: vs!.kind, metadata: { name: "reviews", namespace: "shop" }, spec: { ...vs!.spec, hosts: ["reviews"] } });
    const res = await viewerApi.request.post("/api/cp/api/v1/apply", { data: { files: [{ file: "reviews.yaml", text }], message: "viewer tries" }, headers: { "x-skein-csrf": viewerApi.csrfToken } });
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("Forbidden");

    await viewerPage.goto(reviewsVs);
    await expect(viewerPage.getByTestId("yaml-editor")).toBeVisible();
    await expect(viewerPage.getByTestId("apply-button")).toBeDisabled();
  });
});
