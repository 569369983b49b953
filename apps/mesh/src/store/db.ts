import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../../../../prisma/generated/client.ts";

export type { PrismaClient } from "../../../../prisma/generated/client.ts";
export type Database = PrismaClient;

/**
 * The one place a Prisma client is made. SQLite through better-sqlite3 with Prisma's JS
 * engine, which needs no downloaded binary.
 */
export function openDatabase(url: string): Database {
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) });
}
