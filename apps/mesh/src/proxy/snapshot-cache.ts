import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ProxySnapshot } from "@skein/shared";

export const SNAPSHOT_FILE = "snapshot.json";

/**
 * Replaces `path` with `data` so that a reader (or a restart after a crash) sees the old
 * content or the new, never a mix: write a temporary file beside it, fsync, rename.
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fh = await open(tmp, "wx", mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/**
 * The last snapshot the sidecar applied, on disk: with it a sidecar keeps its config
 * across a restart while the control plane is away (static stability), as Envoy keeps
 * serving its last xDS config when the management server is gone.
 */
export class SnapshotCache {
  private readonly path: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(dir: string, private readonly log: (line: string) => void = () => undefined) {
    this.path = join(dir, SNAPSHOT_FILE);
  }

  /** The cached snapshot, or undefined when there is none or it cannot be read (which is logged). */
  async load(): Promise<ProxySnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.log(`cannot read cached config ${this.path}: ${(e as Error).message}`);
      return undefined;
    }
    try {
      const value = JSON.parse(text) as unknown;
      if (isSnapshot(value)) return value;
      this.log(`ignoring cached config ${this.path}: not a snapshot`);
    } catch (e) {
      this.log(`ignoring cached config ${this.path}: ${(e as Error).message}`);
    }
    return undefined;
  }

  /** Writes are queued, so an older snapshot can never land after a newer one. */
  save(snapshot: ProxySnapshot): Promise<void> {
    const text = JSON.stringify(snapshot);
    this.writing = this.writing.then(
      () => writeFileAtomic(this.path, text, 0o600),
      () => writeFileAtomic(this.path, text, 0o600),
    );
    return this.writing;
  }
}

function isSnapshot(v: unknown): v is ProxySnapshot {
  if (v === null || typeof v !== "object") return false;
  const s = v as Partial<Record<keyof ProxySnapshot, unknown>>;
  const isObject = (x: unknown) => x !== null && typeof x === "object";
  return typeof s.version === "string" && isObject(s.workload) && isObject(s.outbound) && isObject(s.inbound) && isObject(s.clusters);
}
