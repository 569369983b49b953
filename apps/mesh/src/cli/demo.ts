import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseVerbArgs, UsageError, type Verb } from "./usage.ts";
import { formatDiagnostic } from "./validate.ts";
import { formatPorts } from "./mesh-verbs.ts";
import { isAlive, readState, stateDir } from "../runner/state.ts";

const SKEIN_BIN = resolve(import.meta.dirname, "../../bin/skein.mjs");
export const SHOP_MESH = resolve(import.meta.dirname, "../../demo/shop.yaml");

export const demoVerb: Verb = {
  name: "demo",
  summary: "run the demo shop with Prometheus and the console (what `npm run demo` does)",
  usage: `Usage: skein demo [--prometheus-port N] [--port-base N] [--control-plane-port N]
                  [--console-port N] [--console-auth signin|anonymous-editor]

Starts the demo shop (apps/mesh/demo/shop.yaml) with \`skein up\`, then Prometheus
(Debian's package; installed with apt-get when missing and running as root) on
127.0.0.1:9090, discovering every sidecar through the control plane's http_sd endpoint
and scraping every 5 s, then the console (the prebuilt apps/web; \`npm run demo\` builds
it) on 127.0.0.1:3000. Ctrl-C stops everything.

  --console-port N      the console's port (default 3000, or SKEIN_CONSOLE_PORT)
  --console-auth MODE   anonymous-editor (default: anyone who opens the console may
                        change config, and a banner says so) or signin (users from
                        \`skein user add\`)`,
  async run(argv, io) {
    const { values } = parseVerbArgs(argv, {
      "prometheus-port": { type: "string", default: process.env.SKEIN_PROMETHEUS_PORT ?? "9090" },
      "port-base": { type: "string", default: "15100" },
      "control-plane-port": { type: "string", default: "15000" },
      "console-port": { type: "string", default: process.env.SKEIN_CONSOLE_PORT ?? "3000" },
      "console-auth": { type: "string", default: "anonymous-editor" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    const { parseMeshFile } = await import("../runner/mesh-file.ts");
    const { up } = await import("../runner/up.ts");
    const { ensurePrometheus, startPrometheus } = await import("../runner/prometheus.ts");
    const { parseConsoleAuth, startConsole } = await import("../runner/console.ts");
    const consolePort = Number(values["console-port"]);
    if (!Number.isInteger(consolePort) || consolePort <= 0 || consolePort > 65535) throw new UsageError(`--console-port must be a port number, not "${values["console-port"]}"`);
    let consoleAuth;
    try {
      consoleAuth = parseConsoleAuth(values["console-auth"]);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const dir = stateDir(process.env, io.cwd);
    const existing = readState(dir);
    if (existing && isAlive(existing.pid)) {
      io.stderr(`a mesh started by process ${existing.pid} is still running (state in ${dir}); stop it first\n`);
      return 1;
    }
    const parsed = parseMeshFile(SHOP_MESH, await readFile(SHOP_MESH, "utf8"));
    if (!parsed.mesh || parsed.diagnostics.some((d) => d.severity === "error")) {
      for (const d of parsed.diagnostics) io.stderr(formatDiagnostic(d) + "\n");
      return 1;
    }
    io.stderr("Starting the demo shop (control plane, 7 workloads with sidecars)…\n");
    let mesh;
    try {
      mesh = await up({ mesh: { mesh: parsed.mesh, istio: parsed.istio }, stateDir: dir, portBase: Number(values["port-base"]), controlPlanePort: Number(values["control-plane-port"]), skeinBin: SKEIN_BIN, log: (l) => io.stderr(`skein up: ${l}\n`), accessLog: true });
    } catch (e) {
      io.stderr(`skein demo: ${(e as Error).message}\n`);
      return 1;
    }
    const cp = mesh.state.controlPlane.url;
    const found = await ensurePrometheus();
    let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
    if (found.available) {
      try {
        prometheus = await startPrometheus({ sdUrl: `${cp}/api/v1/prometheus/sd`, scrapeIntervalSeconds: 5, port: Number(values["prometheus-port"]), job: "skein-sidecars" });
      } catch (e) {
        io.stderr(`Prometheus did not start: ${(e as Error).message}\n`);
      }
    } else {
      io.stderr(`Prometheus is not available: ${found.reason}\n`);
    }
    const prometheusUrl = prometheus?.url ?? `http://127.0.0.1:${values["prometheus-port"]}`;
    let webConsole: Awaited<ReturnType<typeof startConsole>> | undefined;
    let consoleProblem = "";
    let stopping = false;
    io.stderr(`Starting the console on port ${consolePort}…\n`);
    try {
      webConsole = await startConsole({ port: consolePort, controlPlaneUrl: cp, prometheusUrl, stateDir: dir, databaseUrl: `file:${join(dir, "skein.db")}`, auth: consoleAuth, logDir: join(dir, "logs") });
      void webConsole.process.exited.then((code) => {
        if (!stopping) io.stderr(`skein demo: the console exited (${code === null ? "killed" : `code ${code}`}); see ${webConsole!.process.logFile}\n`);
      });
    } catch (e) {
      consoleProblem = (e as Error).message;
      io.stderr(`The console did not start: ${consoleProblem}\n`);
    }
    const consoleLine = webConsole
      ? `${webConsole.url}   (${consoleAuth === "signin" ? "sign in with a user from `npx skein user add NAME --role editor`" : "anonymous editor mode: no sign-in, anyone who can reach it changes config"})`
      : `not running (${consoleProblem})`;
    const traffic = mesh.state.workloads.find((w) => w.name === "traffic");
    io.stdout(formatPorts(mesh.state));
    io.stdout(`
Skein demo is running.
  Control plane API  ${cp}   (token in ${join(dir, "admin-token")})
  Prometheus         ${prometheus ? prometheus.url : "not running (see above)"}
  Console            ${consoleLine}
  Logs               ${join(dir, "logs")}

Try:
  npx skein status
  npx skein get vs -n shop -o yaml
  npx skein curl traffic -n shop http://productpage:9080/productpage/1
  npx skein proxy-config productpage-v1 -n shop
  curl -X PUT 'http://127.0.0.1:${traffic?.ports.app ?? "?"}/rate?value=20'   # traffic, requests per second
Ctrl-C stops the demo.
`);
    const reason = await new Promise<string>((done) => {
      process.once("SIGINT", () => done("interrupted"));
      process.once("SIGTERM", () => done("terminated"));
      void mesh.failure.then((name) => done(`${name} exited; see ${join(dir, "logs", `${name}.log`)}`));
    });
    io.stderr(`skein demo: stopping (${reason})…\n`);
    stopping = true;
    await webConsole?.stop();
    await prometheus?.stop();
    await mesh.stop();
    return reason === "interrupted" || reason === "terminated" ? 0 : 1;
  },
};
