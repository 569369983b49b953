import { defineConfig } from "@playwright/test";
import { CONSOLE_URL } from "./e2e/mesh.ts";

/**
 * Browser tests: Debian's Chromium against a real demo mesh that e2e/global-setup.ts
 * starts on ports of its own. One worker, since the specs share one mesh and some of
 * them change its routing. Run alone with `npx playwright test` (`npm test` runs them too).
 */
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  outputDir: "test-results/e2e",
  reporter: [["list"]],
  use: {
    baseURL: CONSOLE_URL,
    browserName: "chromium",
    // Never `playwright install`: the system's Chromium (apt-get install chromium).
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
    viewport: { width: 1440, height: 900 },
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
