import { appVerb } from "./app.ts";
import { defaultIo } from "./io.ts";
import { proxyVerb } from "./proxy.ts";
import { runVerb } from "./usage.ts";

/**
 * The entry of the prebuilt bundle that runs sidecars and demo apps: only what those
 * processes need, so each of the many sidecar processes of a mesh starts fast and small.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const verb = name === "proxy" ? proxyVerb : name === "app" ? appVerb : undefined;
  if (!verb) throw new Error(`the sidecar bundle runs "proxy" and "app", not "${name}"`);
  return runVerb(verb, rest, defaultIo());
}
