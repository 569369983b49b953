import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { SourceInput } from "@skein/shared";

export interface ReadFailure {
  file: string;
  message: string;
}

/**
 * Expands `-f` arguments: a file, a directory (recursively, *.yaml / *.yml, in name
 * order so output is stable) or `-` for standard input.
 */
export async function readInputs(paths: readonly string[], cwd: string, readStdin: () => Promise<string>) {
  const inputs: SourceInput[] = [];
  const failures: ReadFailure[] = [];
  for (const p of paths) {
    if (p === "-") {
      inputs.push({ file: "<stdin>", text: await readStdin() });
      continue;
    }
    const abs = resolve(cwd, p);
    let isDir: boolean;
    try {
      isDir = (await stat(abs)).isDirectory();
    } catch (e) {
      failures.push({ file: p, message: describe(e) });
      continue;
    }
    const files = isDir ? await yamlFilesUnder(abs) : [abs];
    if (isDir && files.length === 0) failures.push({ file: p, message: "directory holds no *.yaml or *.yml files" });
    for (const f of files) {
      const shown = isDir ? join(p, relative(abs, f)) : p;
      try {
        inputs.push({ file: shown, text: await readFile(f, "utf8") });
      } catch (e) {
        failures.push({ file: shown, message: describe(e) });
      }
    }
  }
  return { inputs, failures };
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFilesUnder(full)));
    else if (/\.ya?ml$/i.test(e.name)) out.push(full);
  }
  return out;
}

function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ENOENT") return "no such file or directory";
  if (err.code === "EACCES") return "permission denied";
  if (err.code === "EISDIR") return "is a directory";
  return err.message;
}
