import { parseVerbArgs, UsageError, type Io, type Verb } from "./usage.ts";

export const appVerb: Verb = {
  name: "app",
  summary: "run a built-in demo app (echo, productpage, details, reviews, ratings, traffic)",
  usage: `Usage: skein app NAME

Runs one of the built-in apps that mesh files name as \`run: builtin:NAME\`:
  echo         answers JSON with its workload, namespace, version, path and headers;
               obeys ?status=N and ?delay=DURATION (e.g. 250ms, 1.5s)
  productpage  the demo shop's front page: calls details and reviews
  details      book details (about 1% errors)
  reviews      reviews; version v2 and v3 call ratings (black / red stars)
  ratings      star ratings (about 2% errors)
  traffic      steady shoppers calling productpage; GET /rate, PUT /rate?value=N

Environment: PORT (required), SKEIN_WORKLOAD, SKEIN_NAMESPACE, SKEIN_VERSION, and
SKEIN_OUTBOUND or HTTP_PROXY (host:port of the sidecar's outbound listener), which
\`skein up\` sets; SKEIN_TRAFFIC_RATE (traffic: initial requests per second, default 5).`,
  async run(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = parseVerbArgs(argv, { help: { type: "boolean", short: "h" } }, true);
    if (values.help) {
      io.stdout(this.usage + "\n");
      return 0;
    }
    const { BUILTIN_APPS } = await import("../demo/apps.ts");
    const { readAppEnv } = await import("../demo/app-env.ts");
    const name = positionals[0];
    if (!name || positionals.length > 1) throw new UsageError("exactly one app NAME");
    const start = BUILTIN_APPS[name];
    if (!start) throw new UsageError(`unknown app "${name}"; built-in apps: ${Object.keys(BUILTIN_APPS).join(", ")}`);
    let env;
    try {
      env = readAppEnv();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const server = await start(env);
    io.stderr(`skein app ${name}: ${env.workload} listening on 127.0.0.1:${env.port}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return 0;
  },
};
