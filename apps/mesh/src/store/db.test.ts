import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "./db.ts";
import { migrate } from "./migrate.ts";

describe("openDatabase", () => {
  it("opens a fresh SQLite file, migrates it, and reads back what it wrote", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "skein-db-")), "t.db");
    const applied = migrate(file);
    expect(applied).toContain("0001_init");
    expect(migrate(file)).toEqual([]);
    const db = openDatabase(`file:${file}`);
    try {
      await db.user.create({ data: { username: "ann", passwordHash: "x", role: "editor" } });
      expect(await db.user.count()).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });
});
