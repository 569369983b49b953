#!/usr/bin/env node
// The CLI is TypeScript run through tsx, like the rest of the repository's sources.
// Sidecars and demo apps (`proxy`, `app`) run from a prebuilt bundle when it is up to
// date (scripts/build-sidecar.mjs), since a mesh starts many of them.
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bundle = join(here, "..", "dist", "cli", "sidecar.mjs");
const [verb] = process.argv.slice(2);

function newestSource(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    return built >= Math.max(newestSource(join(here, "..", "src")), newestSource(join(here, "..", "..", "..", "packages", "shared", "src")));
  } catch {
    return false;
  }
}

let main;
if ((verb === "proxy" || verb === "app") && bundleIsFresh()) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
