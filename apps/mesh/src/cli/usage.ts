import { parseArgs, type ParseArgsConfig } from "node:util";

/** Wrong invocation: the CLI prints the message and the verb's usage, and exits 2. */
export class UsageError extends Error {}

export interface Verb {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: Io): Promise<number>;
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs with errors turned into UsageError. */
export function parseVerbArgs<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
}
