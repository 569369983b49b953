import Database from "better-sqlite3";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** prisma/migrations beside the repository root (bundlers that drop import.meta.dirname pass the folder). */
function defaultMigrationsDir(): string {
  return join(import.meta.dirname, "../../../../prisma/migrations");
}

/**
 * Applies the committed SQL migrations (written with `prisma migrate diff`) in order,
 * each in its own transaction, recording them in `_skein_migrations`. Prisma's own
 * `migrate deploy` works too; this runner lets the control plane migrate on start without
 * the Prisma CLI. Returns the names applied now.
 */
export function migrate(file: string, dir = defaultMigrationsDir()): string[] {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE IF NOT EXISTS _skein_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
    const done = new Set((db.prepare("SELECT name FROM _skein_migrations").all() as { name: string }[]).map((r) => r.name));
    const names = readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(/*turbopackIgnore: true*/ dir, e.name, "migration.sql")))
      .map((e) => e.name)
      .sort();
    const applied: string[] = [];
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = readFileSync(join(/*turbopackIgnore: true*/ dir, name, "migration.sql"), "utf8");
      db.transaction(() => {
        db.exec(sql);
        db.prepare("INSERT INTO _skein_migrations (name, applied_at) VALUES (?, ?)").run(name, new Date().toISOString());
      })();
      applied.push(name);
    }
    return applied;
  } finally {
    db.close();
  }
}
