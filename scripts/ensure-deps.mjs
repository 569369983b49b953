// Installs the npm packages when they are missing or older than the lockfile, and builds
// what runs from a build (the sidecar bundle, the console), so every entry point
// (npm test, npm run demo, npm run bench) works on a fresh clone.
import { execFileSync } from "node:child_process";
import { existsSync, statSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { consoleBuildState } from "./console-build.mjs";

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

// The console's production build, which `skein demo` serves with `next start`. A build
// takes a minute, so only when it is missing or older than a source it is made from.
const web = join(root, "apps", "web");
const { buildId, builtMs: built, changedMs: changed } = consoleBuildState(root, process.env.NEXT_DIST_DIR ?? ".next");
if (changed > built) {
  console.log(built ? "Rebuilding the console (apps/web changed)…" : "Building the console (next build in apps/web, about a minute)…");
  const started = new Date();
  const nextBin = createRequire(join(web, "package.json")).resolve("next/dist/bin/next");
  execFileSync(process.execPath, [nextBin, "build"], { cwd: web, stdio: "inherit" });
  // Dated from the start of the build, so a source saved while it ran triggers the next one.
  utimesSync(buildId, started, started);
}
