// When the console's production build (apps/web/<dist dir>) is stale: older than a source it
// is made from. Shared by ensure-deps.mjs, which rebuilds it, and the graph bench, which
// warns about a stale one.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** What the build is made from: a newer file under any of these makes it stale. */
export function consoleSources(root) {
  const web = join(root, "apps", "web");
  return [
    join(web, "src"),
    join(root, "packages", "shared", "src"),
    join(root, "apps", "mesh", "src", "store"),
    join(root, "prisma", "generated"),
    join(web, "next.config.ts"),
    join(web, "tsconfig.json"),
    join(web, "package.json"),
    join(root, "package-lock.json"),
  ];
}

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
export function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) t = Math.max(t, newest(join(path, e.name)));
  return t;
}

/** The build's BUILD_ID file, its time (0 when not built), and the newest source's time. */
export function consoleBuildState(root, distDir) {
  const buildId = join(root, "apps", "web", distDir, "BUILD_ID");
  return { buildId, builtMs: existsSync(buildId) ? statSync(buildId).mtimeMs : 0, changedMs: Math.max(...consoleSources(root).map(newest)) };
}
