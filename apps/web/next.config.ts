import path from "node:path";
import type { NextConfig } from "next";

const repoRoot = path.resolve(process.cwd(), "../..");

const config: NextConfig = {
  // The shared model and the mesh's store are TypeScript sources, not built packages.
  transpilePackages: ["@skein/shared", "@skein/mesh"],
  // Native addon and the adapter that loads it stay outside the bundle.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3"],
  // The Prisma client is generated outside this app (prisma/generated).
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  // Several dev servers can share this folder when each names its own build dir.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  poweredByHeader: false,
  reactStrictMode: true,
  devIndicators: false,
};

export default config;
