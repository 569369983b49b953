// Installs the npm packages when they are missing or older than the lockfile, and builds
// what runs from a build (the sidecar bundle, the console), so every entry point
// (npm test, npm run demo, npm run bench) works on a fresh clone.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
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

// The console's production build, which `skein demo` serves with `next start`. A build
// takes a minute, so only when it is missing or older than a source it is made from.
const web = join(root, "apps", "web");
const buildId = join(web, process.env.NEXT_DIST_DIR ?? ".next", "BUILD_ID");
const consoleSources = [
  join(web, "src"),
  join(root, "packages", "shared", "src"),
  join(root, "apps", "mesh", "src", "store"),
  join(root, "prisma", "generated"),
  join(web, "next.config.ts"),
  join(web, "tsconfig.json"),
  join(web, "package.json"),
  lock,
];

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) t = Math.max(t, newest(join(path, e.name)));
  return t;
}

const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
const changed = Math.max(...consoleSources.map(newest));
if (changed > built) {
  console.log(built ? "Rebuilding the console (apps/web changed)…" : "Building the console (next build in apps/web, about a minute)…");
  const started = new Date();
  const nextBin = createRequire(join(web, "package.json")).resolve("next/dist/bin/next");
  execFileSync(process.execPath, [nextBin, "build"], { cwd: web, stdio: "inherit" });
  // Dated from the start of the build, so a source saved while it ran triggers the next one.
  utimesSync(buildId, started, started);
}
