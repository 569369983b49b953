import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "../controlplane/config-store.testing.ts";
import { hashPassword, parseRole, UserStore, verifyPassword, SESSION_TTL_MS } from "./users.ts";

describe("password hashes", () => {
  it("verifies the password it was made from and nothing else", async () => {
    const hash = await hashPassword("correct horse");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct hors", hash)).toBe(false);
    expect(await verifyPassword("correct horse", "!")).toBe(false);
  });

  it("salts each hash", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });
});

describe("UserStore", () => {
  let t: TestDatabase;
  let users: UserStore;
  beforeEach(() => {
    t = openTestDatabase();
    users = new UserStore(t.db);
  });
  afterEach(() => t.close());

  it("adds users with a role and authenticates them by password", async () => {
    await users.add("ann", "ann-password", "editor");
    await users.add("vic", "vic-password", "viewer");
    expect(await users.authenticate("ann", "ann-password")).toMatchObject({ username: "ann", role: "editor" });
    expect(await users.authenticate("ann", "vic-password")).toBeUndefined();
    expect(await users.authenticate("nobody", "ann-password")).toBeUndefined();
    expect((await users.list()).map((u) => `${u.username}:${u.role}`)).toEqual(["ann:editor", "vic:viewer"]);
  });

  it("refuses duplicate names, bad names, short passwords and unknown roles", async () => {
    await users.add("ann", "ann-password", "editor");
    await expect(users.add("ann", "other-password", "viewer")).rejects.toThrow('user "ann" already exists');
    await expect(users.add("Ann Smith", "ann-password", "viewer")).rejects.toThrow(/username "Ann Smith"/);
    await expect(users.add("bob", "short", "viewer")).rejects.toThrow(/at least 8/);
    expect(() => parseRole("admin")).toThrow('role must be one of viewer, editor, not "admin"');
  });

  it("opens sessions that expire and closes them on logout", async () => {
    const ann = await users.add("ann", "ann-password", "editor");
    const now = new Date("2026-01-01T00:00:00Z");
    const s = await users.openSession(ann, now);
    expect(s.csrfToken).not.toBe(s.id);
    expect(await users.session(s.id, now)).toMatchObject({ user: { username: "ann" }, csrfToken: s.csrfToken });
    expect(await users.session(s.id, new Date(now.getTime() + SESSION_TTL_MS + 1))).toBeUndefined();
    const s2 = await users.openSession(ann, now);
    await users.closeSession(s2.id);
    expect(await users.session(s2.id, now)).toBeUndefined();
  });

  it("ends a user's sessions when the password changes or the user is removed", async () => {
    const ann = await users.add("ann", "ann-password", "editor");
    const s = await users.openSession(ann);
    await users.setPassword("ann", "new-password");
    expect(await users.session(s.id)).toBeUndefined();
    expect(await users.authenticate("ann", "new-password")).toBeDefined();
    const s2 = await users.openSession(ann);
    await users.remove("ann");
    expect(await users.session(s2.id)).toBeUndefined();
    await expect(users.remove("ann")).rejects.toThrow('no user "ann"');
  });

  it("keeps one anonymous editor with no usable password", async () => {
    const a = await users.anonymousEditor();
    const b = await users.anonymousEditor();
    expect(a).toEqual(b);
    expect(a.role).toBe("editor");
    expect(await users.authenticate("anonymous", "!")).toBeUndefined();
  });
});
