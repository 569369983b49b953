// `npm test`: every suite, in the order that fails fastest. Exits non-zero on the first failure.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(process.execPath, [join(root, "scripts", "ensure-deps.mjs")], { stdio: "inherit" });

const report = join(mkdtempSync(join(tmpdir(), "skein-test-")), "vitest.json");
const steps = [
  ["typecheck", ["npx", "tsc", "-p", "tsconfig.json", "--noEmit"]],
  ["lint", ["npx", "eslint", "."]],
  ["unit and integration tests", ["npx", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`]],
];

for (const [name, [cmd, ...args]] of steps) {
  console.log(`\n== ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    summary();
    console.error(`\n${name} failed`);
    process.exit(r.status ?? 1);
  }
}
summary();

/** One closing line in the plain form CI tools read: "tests: N passed, N failed, N skipped". */
function summary() {
  if (!existsSync(report)) return;
  const r = JSON.parse(readFileSync(report, "utf8"));
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
}
