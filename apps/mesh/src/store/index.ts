// What the console needs of the mesh's database: the one Prisma client, the migration
// runner and the console's users and sessions.
export { openDatabase, type Database } from "./db.ts";
export { migrate } from "./migrate.ts";
export { UserStore, ROLES, parseRole, SESSION_TTL_MS, type Role, type ConsoleUser, type ConsoleSession } from "./users.ts";
