// `npm test`: every suite, in the order that fails fastest. Exits non-zero on the first failure.
// The browser tests come last: they start a whole demo mesh and the console.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(process.execPath, [join(root, "scripts", "ensure-deps.mjs")], { stdio: "inherit" });

const reports = mkdtempSync(join(tmpdir(), "skein-test-"));
const vitestReport = join(reports, "vitest.json");
const playwrightReport = join(reports, "playwright.json");
const CHROMIUM = "/usr/bin/chromium";

const steps = [
  ["typecheck", ["npx", "tsc", "-p", "tsconfig.json", "--noEmit"]],
  ["typecheck the console", ["npx", "tsc", "-p", "apps/web/tsconfig.json", "--noEmit"]],
  ["typecheck the browser tests", ["npx", "tsc", "-p", "e2e/tsconfig.json", "--noEmit"]],
  ["lint", ["npx", "eslint", "."]],
  ["unit and integration tests", ["npx", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestReport}`]],
  ["Chromium for the browser tests", ensureChromium],
  ["browser tests (Playwright)", ["npx", "playwright", "test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightReport }],
];

for (const [name, command, env] of steps) {
  console.log(`\n== ${name}`);
  const ok = typeof command === "function" ? command() : run(command, env);
  if (!ok) {
    summary();
    console.error(`\n${name} failed`);
    process.exit(1);
  }
}
summary();

function run([cmd, ...args], env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  return r.status === 0;
}

/**
 * The browser tests drive Debian's Chromium (Playwright's own download needs the
 * internet). Installed with apt-get when missing and running as root; otherwise the
 * user is told what to install, and the browser tests run anyway and fail, so a missing
 * browser never reads as a pass.
 */
function ensureChromium() {
  if (existsSync(CHROMIUM)) return true;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const install = () => spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", "chromium"], { stdio: "inherit", env });
    console.log(`${CHROMIUM} is missing: apt-get install -y chromium`);
    if (install().status !== 0) {
      spawnSync("apt-get", ["update", "-o", "DPkg::Lock::Timeout=300"], { stdio: "inherit", env });
      install();
    }
    if (existsSync(CHROMIUM)) return true;
  }
  console.error(
    `\n${CHROMIUM} is missing${process.getuid?.() === 0 ? " and apt-get could not install it" : ""}. The browser tests need Debian's Chromium:\n` +
      `  sudo apt-get install -y chromium\n` +
      `Without it every browser test fails.\n`,
  );
  return true;
}

/** Counts of both reports in the plain form CI tools read: "tests: N passed, N failed, N skipped". */
function summary() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (existsSync(vitestReport)) {
    const r = JSON.parse(readFileSync(vitestReport, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
  }
  if (existsSync(playwrightReport)) {
    const r = JSON.parse(readFileSync(playwrightReport, "utf8"));
    const s = r.stats;
    passed += s.expected + s.flaky;
    skipped += s.skipped;
    failed += s.unexpected;
    // A failed global setup (no mesh, no console) runs nothing: every planned test counts as failed.
    if ((r.errors?.length ?? 0) > 0 && s.expected + s.flaky + s.skipped + s.unexpected === 0) failed += Math.max(plannedBrowserTests(), 1);
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
}

function plannedBrowserTests() {
  const r = spawnSync("npx", ["playwright", "test", "--list", "--reporter=json"], { cwd: root, encoding: "utf8" });
  try {
    return countTests(JSON.parse(r.stdout).suites ?? []);
  } catch {
    return 0;
  }
}

function countTests(suites) {
  return suites.reduce((n, s) => n + (s.specs ?? []).reduce((m, spec) => m + (spec.tests?.length ?? 0), 0) + countTests(s.suites ?? []), 0);
}
