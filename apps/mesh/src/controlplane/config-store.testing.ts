/**
 * Fixtures for the config store's tests: a migrated SQLite file per test, and small
 * Istio documents for the reviews service of the demo.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { openDatabase, type Database } from "../store/db.ts";
import { migrate } from "../store/migrate.ts";

export interface TestDatabase {
  db: Database;
  file: string;
  close(): Promise<void>;
}

/** A fresh, migrated database file in its own temp dir, removed by close(). */
export function openTestDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), "skein-config-"));
  const file = join(dir, "skein.db");
  migrate(file);
  const db = openDatabase(`file:${file}`);
  return {
    db,
    file,
    async close() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** reviews' VirtualService splitting traffic between subsets by weight, e.g. {v1: 90, v2: 10}. */
export function reviewsVirtualService(weights: Record<string, number>, resourceVersion?: string): string {
  return stringify({
    apiVersion: "networking.istio.io/v1",
    kind: "VirtualService",
    metadata: { name: "reviews", namespace: "default", ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      hosts: ["reviews"],
      http: [{ route: Object.entries(weights).map(([subset, weight]) => ({ destination: { host: "reviews", subset }, weight })) }],
    },
  });
}

export function reviewsDestinationRule(subsets: string[]): string {
  return stringify({
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name: "reviews", namespace: "default" },
    spec: { host: "reviews", subsets: subsets.map((name) => ({ name, labels: { version: name } })) },
  });
}

export function reviewsService(): string {
  return stringify({ apiVersion: "v1", kind: "Service", metadata: { name: "reviews", namespace: "default" }, spec: { selector: { app: "reviews" }, ports: [{ name: "http", port: 9080 }] } });
}
