import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { Database } from "./db.ts";

/** Console roles: viewers read everything; only editors change config. */
export const ROLES = ["viewer", "editor"] as const;
export type Role = (typeof ROLES)[number];

export interface ConsoleUser {
  id: number;
  username: string;
  role: Role;
}

export interface ConsoleSession {
  id: string;
  user: ConsoleUser;
  csrfToken: string;
  expiresAt: Date;
}

/** scrypt cost: N=2^15 (OWASP's minimum for scrypt), r=8, p=1 — ~50 ms per check here. */
const SCRYPT: ScryptOptions = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const USERNAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

function derive(password: string, salt: Buffer, options: ScryptOptions = SCRYPT): Promise<Buffer> {
  return new Promise((done, fail) => scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, options, (e, key) => (e ? fail(e) : done(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await derive(password, Buffer.from(salt, "base64url"), { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export function parseRole(value: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  throw new Error(`role must be one of ${ROLES.join(", ")}, not "${value}"`);
}

function toUser(row: { id: number; username: string; role: string }): ConsoleUser {
  return { id: row.id, username: row.username, role: parseRole(row.role) };
}

/** Console users and their sessions, kept in the mesh's database. */
export class UserStore {
  constructor(private readonly db: Database) {}

  async add(username: string, password: string, role: Role): Promise<ConsoleUser> {
    if (!USERNAME.test(username)) throw new Error(`username "${username}" must be 1-63 lower-case letters, digits, ".", "_" or "-"`);
    if (password.length < 8) throw new Error("the password must have at least 8 characters");
    const existing = await this.db.user.findUnique({ where: { username } });
    if (existing) throw new Error(`user "${username}" already exists`);
    return toUser(await this.db.user.create({ data: { username, role, passwordHash: await hashPassword(password) } }));
  }

  async setPassword(username: string, password: string): Promise<void> {
    if (password.length < 8) throw new Error("the password must have at least 8 characters");
    const { count } = await this.db.user.updateMany({ where: { username }, data: { passwordHash: await hashPassword(password) } });
    if (count === 0) throw new Error(`no user "${username}"`);
    await this.db.session.deleteMany({ where: { user: { username } } });
  }

  async remove(username: string): Promise<void> {
    const { count } = await this.db.user.deleteMany({ where: { username } });
    if (count === 0) throw new Error(`no user "${username}"`);
  }

  async list(): Promise<ConsoleUser[]> {
    return (await this.db.user.findMany({ orderBy: { username: "asc" } })).map(toUser);
  }

  /** The user if the password is right; the same answer (undefined) for an unknown name. */
  async authenticate(username: string, password: string): Promise<ConsoleUser | undefined> {
    const row = await this.db.user.findUnique({ where: { username } });
    // Hash anyway for unknown users so timing does not reveal which names exist.
    const ok = await verifyPassword(password, row?.passwordHash ?? "scrypt$32768$8$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    return row && ok ? toUser(row) : undefined;
  }

  /** A built-in user for the demo's anonymous-editor mode; it has no usable password. */
  async anonymousEditor(): Promise<ConsoleUser> {
    const row = await this.db.user.upsert({ where: { username: "anonymous" }, update: {}, create: { username: "anonymous", role: "editor", passwordHash: "!" } });
    return toUser(row);
  }

  async openSession(user: ConsoleUser, now = new Date()): Promise<ConsoleSession> {
    const session = { id: randomBytes(32).toString("base64url"), csrfToken: randomBytes(24).toString("base64url"), expiresAt: new Date(now.getTime() + SESSION_TTL_MS) };
    await this.db.session.create({ data: { ...session, userId: user.id } });
    return { ...session, user };
  }

  async session(id: string, now = new Date()): Promise<ConsoleSession | undefined> {
    const row = await this.db.session.findUnique({ where: { id }, include: { user: true } });
    if (!row) return undefined;
    if (row.expiresAt <= now) {
      await this.db.session.deleteMany({ where: { id } });
      return undefined;
    }
    return { id: row.id, csrfToken: row.csrfToken, expiresAt: row.expiresAt, user: toUser(row.user) };
  }

  async closeSession(id: string): Promise<void> {
    await this.db.session.deleteMany({ where: { id } });
  }
}
