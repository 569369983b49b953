import "server-only";
import { migrate, openDatabase, UserStore, type Database } from "@skein/mesh/store";
import { settings } from "./settings";

// One client per server process; Next's dev server re-evaluates modules, so keep it on globalThis.
const holder = globalThis as unknown as { skeinDb?: Database; skeinUsers?: UserStore };

export function database(): Database {
  if (!holder.skeinDb) {
    const { databaseUrl: url, migrationsDir } = settings();
    if (url.startsWith("file:")) migrate(url.slice(5), migrationsDir);
    holder.skeinDb = openDatabase(url);
  }
  return holder.skeinDb;
}

export function users(): UserStore {
  holder.skeinUsers ??= new UserStore(database());
  return holder.skeinUsers;
}
