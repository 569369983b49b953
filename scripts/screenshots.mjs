// `npm run screenshots [-- --url URL] [--out DIR] [--user NAME]`: screenshots of a running
// console (default: the demo's, http://127.0.0.1:3000) for the README — the graph, the
// editor showing a diagnostic, the traffic-shifting wizard and a trace waterfall — taken
// with Debian's Chromium. Nothing is applied: the editor and the wizard are left unsaved.
// With sign-in, give --user NAME and the password in SKEIN_USER_PASSWORD.
import { chromium } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:3000" },
    out: { type: "string", default: join(root, "docs", "screenshots") },
    user: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log("Usage: npm run screenshots -- [--url http://127.0.0.1:3000] [--out docs/screenshots] [--user NAME (password in SKEIN_USER_PASSWORD)]");
  process.exit(0);
}
const base = values.url.replace(/\/+$/, "");
const out = resolve(values.out);
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
const page = await context.newPage();
const TIMEOUT = 30_000;
page.setDefaultTimeout(TIMEOUT);
const shots = [];

async function shot(name, what, take) {
  process.stdout.write(`${name}.png: ${what}… `);
  try {
    await take();
    const file = join(out, `${name}.png`);
    await page.screenshot({ path: file });
    shots.push(file);
    console.log("ok");
  } catch (e) {
    console.log("failed");
    throw new Error(`${name}: ${e.message.split("\n")[0]}`, { cause: e });
  }
}

try {
  const me = await context.request.get("/api/auth/me").catch((e) => {
    throw new Error(`no console answers at ${base} (${e.message}); start the demo with \`npm run demo\`, or give --url`, { cause: e });
  });
  if (!me.ok()) throw new Error(`${base}/api/auth/me answered HTTP ${me.status()}`);
  if (!(await me.json()).user) {
    if (!values.user || !process.env.SKEIN_USER_PASSWORD) throw new Error(`${base} asks for sign-in: give --user NAME and the password in SKEIN_USER_PASSWORD`);
    const login = await context.request.post("/api/auth/login", { data: { username: values.user, password: process.env.SKEIN_USER_PASSWORD } });
    if (!login.ok()) throw new Error(`signing in as ${values.user} failed: HTTP ${login.status()} ${await login.text()}`);
  }

  await shot("graph", "the service graph of the shop namespace", async () => {
    await page.goto("/?namespaces=shop");
    await page.getByTestId("graph").and(page.locator('[data-state="ready"]')).waitFor();
    await page.waitForFunction(() => (globalThis.__skeinCy?.edges().length ?? 0) > 0);
    // fcose animates into place; wait until two reads a frame apart agree.
    await page.waitForFunction(() => {
      const cy = globalThis.__skeinCy;
      const now = JSON.stringify(cy.nodes().map((n) => n.position()));
      const same = globalThis.__skeinShotLast === now;
      globalThis.__skeinShotLast = now;
      return same;
    }, undefined, { polling: 250 });
  });

  await shot("editor-diagnostic", "the reviews VirtualService with a negative weight", async () => {
    await page.goto("/config/VirtualService/shop/reviews");
    const lines = page.getByTestId("yaml-editor").locator(".cm-line");
    await lines.filter({ hasText: /weight: 80\s*$/ }).first().waitFor();
    const texts = await lines.allInnerTexts();
    const line = texts.findIndex((t) => /weight: 80\s*$/.test(t));
    await lines.nth(line).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Backspace");
    // Istio's weights are relative, so 150 would be valid; a negative one is not.
    await page.keyboard.type("-5");
    await page.getByTestId("diagnostic").and(page.locator(`[data-line="${line + 1}"]`)).first().waitFor();
  });

  await shot("traffic-shifting", "the traffic-shifting wizard at 50/50 (not applied)", async () => {
    await page.goto("/config/wizards/traffic-shifting?namespace=shop&service=reviews");
    await page.getByTestId("weight-input-v1").waitFor();
    await page.getByTestId("weight-input-v1").fill("50");
    await page.getByTestId("weight-input-v3").fill("50");
    await page.getByTestId("wizard-yaml").getByText(/weight: 50/).first().waitFor();
  });

  await shot("trace-waterfall", "the trace with the most spans of the last 5 minutes", async () => {
    const res = await context.request.get("/api/cp/api/traces?service=traffic.shop&lookback=5m&limit=200");
    if (!res.ok()) throw new Error(`the traces API answered HTTP ${res.status()}`);
    const traces = (await res.json()).data ?? [];
    if (traces.length === 0) throw new Error("no traces in the last 5 minutes: is the demo's traffic generator running?");
    // The newest traces may still miss spans that sidecars have not exported yet.
    const richest = traces.reduce((a, b) => (b.spans.length > a.spans.length ? b : a));
    await page.goto(`/traces/${richest.traceID}`);
    await page.getByTestId("trace-waterfall").waitFor();
    await page.getByTestId("span-row").nth(1).waitFor();
    // With a span open, the picture shows its tags and response flags too.
    await page.getByTestId("span-row").filter({ hasText: "reviews" }).first().click();
    await page.getByTestId("span-details").waitFor();
  });
} catch (e) {
  console.error(`\nscreenshots: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
if (shots.length > 0) console.log(`\n${shots.length} screenshot(s) in ${out}`);
