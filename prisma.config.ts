import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

// Prisma's Rust engines cannot be downloaded here; the JS engine with the better-sqlite3
// adapter needs none. DATABASE_URL must resolve even for `generate`, or Prisma tries to
// fetch an engine, so it is defaulted.
process.env.DATABASE_URL ??= `file:${path.join(process.env.SKEIN_STATE_DIR ?? ".skein", "skein.db")}`;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    return new PrismaBetterSQLite3({ url: process.env.DATABASE_URL! });
  },
});
