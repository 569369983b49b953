// Installs the npm packages when they are missing or older than the lockfile, so every
// entry point (npm test, npm run demo, npm run bench) works on a fresh clone.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const marker = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");

function stale() {
  if (!existsSync(marker)) return true;
  return existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs;
}

if (stale()) {
  console.log("Installing npm packages (npm ci)…");
  execFileSync("npm", [existsSync(lock) ? "ci" : "install", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
}

// The sidecar bundle (see build-sidecar.mjs): cheap to rebuild, so rebuild every time.
execFileSync(process.execPath, [join(root, "scripts", "build-sidecar.mjs")], { cwd: root, stdio: "inherit" });
