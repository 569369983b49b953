import { resolve } from "node:path";
import { parseVerbArgs, UsageError, type Verb } from "./usage.ts";

export const controlPlaneVerb: Verb = {
  name: "controlplane",
  summary: "run the control plane (config store, push, CA, registry, traces, API)",
  usage: `Usage: skein controlplane [--port N] [--host ADDR] [--state-dir DIR] [--database URL]
                          [--trust-domain TD] [--cert-ttl DURATION] [--root-cert F --root-key F]

Serves the API (docs/api.md) on 127.0.0.1 unless told otherwise. Keeps its database,
the mesh root CA (generated on first start, key mode 0600), the join-token secret and the
admin token (file admin-token, mode 0600) in the state directory.

Options:
      --port N            API port (default 15000)
      --host ADDR         bind address (default 127.0.0.1)
      --state-dir DIR     state directory (default: SKEIN_STATE_DIR or .skein)
      --database URL      Prisma datasource URL (default file:<state-dir>/skein.db)
      --trust-domain TD   SPIFFE trust domain (default cluster.local)
      --cert-ttl D        workload certificate lifetime, e.g. 24h, 1h, 30s (default 24h)
      --root-cert F       use this root certificate (PEM) instead of generating one
      --root-key F        its private key (PEM, mode 0600)`,
  async run(argv, io) {
    const { values } = parseVerbArgs(argv, {
      port: { type: "string", default: "15000" },
      host: { type: "string", default: "127.0.0.1" },
      "state-dir": { type: "string" },
      database: { type: "string" },
      "trust-domain": { type: "string" },
      "cert-ttl": { type: "string" },
      "root-cert": { type: "string" },
      "root-key": { type: "string" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${values.port}"`);
    if ((values["root-cert"] === undefined) !== (values["root-key"] === undefined)) throw new UsageError("--root-cert and --root-key go together");
    const { parseDurationMs } = await import("@skein/shared");
    const ttl = values["cert-ttl"] !== undefined ? parseDurationMs(values["cert-ttl"]) : undefined;
    if (values["cert-ttl"] !== undefined && (ttl === undefined || ttl < 1000)) throw new UsageError(`--cert-ttl must be a duration of at least 1s, e.g. 24h, not "${values["cert-ttl"]}"`);
    const { ControlPlane } = await import("../controlplane/server.ts");
    const stateDir = resolve(io.cwd, values["state-dir"] ?? process.env.SKEIN_STATE_DIR ?? ".skein");
    let cp;
    try {
      cp = await ControlPlane.start({
        stateDir,
        port,
        host: values.host!,
        ...(values.database ? { databaseUrl: values.database } : {}),
        ...(values["trust-domain"] ? { trustDomain: values["trust-domain"] } : {}),
        ...(ttl ? { workloadCertTtlMs: ttl } : {}),
        ...(values["root-cert"] ? { rootCertFile: values["root-cert"], rootKeyFile: values["root-key"]! } : {}),
        log: (l) => io.stderr(`skein controlplane: ${l}\n`),
      });
    } catch (e) {
      io.stderr(`skein controlplane: ${(e as Error).message}\n`);
      return 1;
    }
    io.stderr(`skein controlplane: serving ${cp.url} (state in ${stateDir})\n`);
    await new Promise<void>((done) => {
      process.once("SIGINT", () => done());
      process.once("SIGTERM", () => done());
    });
    await cp.stop();
    return 0;
  },
};
