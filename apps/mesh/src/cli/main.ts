import { defaultIo } from "./io.ts";
import { runVerb, type Io, type Verb } from "./usage.ts";
import { appVerb } from "./app.ts";
import { controlPlaneVerb } from "./controlplane.ts";
import { demoVerb } from "./demo.ts";
import { applyVerb, deleteVerb, getVerb, historyVerb, rollbackVerb } from "./config-verbs.ts";
import { curlVerb, proxyConfigVerb, statusVerb, upVerb } from "./mesh-verbs.ts";
import { proxyVerb } from "./proxy.ts";
import { schemaVerb } from "./schema.ts";
import { validateVerb } from "./validate.ts";
import { userVerb } from "./user.ts";

const VERBS: Verb[] = [validateVerb, applyVerb, getVerb, deleteVerb, historyVerb, rollbackVerb, upVerb, demoVerb, statusVerb, proxyConfigVerb, curlVerb, controlPlaneVerb, proxyVerb, schemaVerb, appVerb, userVerb];

function globalUsage(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  return `skein — a service mesh that speaks Istio

Usage: skein <command> [options]

Commands:
${VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`).join("\n")}

Run "skein <command> --help" for a command's options.`;
}


export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(globalUsage() + "\n");
    return name === undefined ? 2 : 0;
  }
  const verb = VERBS.find((v) => v.name === name);
  if (!verb) {
    io.stderr(`skein: unknown command "${name}"\n\n${globalUsage()}\n`);
    return 2;
  }
  return runVerb(verb, rest, io);
}
