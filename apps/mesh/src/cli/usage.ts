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

/** Runs one verb; a usage error prints the verb's usage and exits 2. */
export async function runVerb(verb: Verb, argv: string[], io: Io): Promise<number> {
  try {
    return await verb.run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`skein ${verb.name}: ${e.message}\n\n${verb.usage}\n`);
      return 2;
    }
    throw e;
  }
}
