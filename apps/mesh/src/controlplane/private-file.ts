import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Secrets of the control plane (the root key, the join-token secret) live in files only
 * their owner may read, as ssh does with private keys: a key another user can read is a
 * key that may have leaked, so the control plane refuses it rather than trust it.
 */
export class InsecureFileError extends Error {
  override name = "InsecureFileError";
}

/** Reads a secret file; throws when group or others may read or write it. */
export async function readPrivateFile(path: string): Promise<string> {
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, "0");
    throw new InsecureFileError(`${path} is accessible to group or others (mode ${octal}): run \`chmod 600 ${path}\` or replace it`);
  }
  return readFile(path, "utf8");
}

/**
 * Creates a secret file with mode 0600, never replacing one: two control planes starting
 * on one state directory must not each write their own root and sign with different keys.
 * Returns false when the file exists already. The content is written to a temporary file
 * and hard-linked into place (link fails if the name exists), so a crash never leaves a
 * half-written key behind under the real name.
 */
export async function createPrivateFile(path: string, data: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, data, { mode: 0o600, flag: "wx" });
  try {
    await link(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
}
