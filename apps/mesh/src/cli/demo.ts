import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseVerbArgs, type Verb } from "./usage.ts";
import { formatDiagnostic } from "./validate.ts";
import { formatPorts } from "./mesh-verbs.ts";
import { isAlive, readState, stateDir } from "../runner/state.ts";

const SKEIN_BIN = resolve(import.meta.dirname, "../../bin/skein.mjs");
export const SHOP_MESH = resolve(import.meta.dirname, "../../demo/shop.yaml");

export const demoVerb: Verb = {
  name: "demo",
  summary: "run the demo shop with Prometheus (what `npm run demo` does)",
  usage: `Usage: skein demo [--prometheus-port N] [--port-base N] [--control-plane-port N]

Starts the demo shop (apps/mesh/demo/shop.yaml) with \`skein up\`, then Prometheus
(Debian's package; installed with apt-get when missing and running as root) on
127.0.0.1:9090, discovering every sidecar through the control plane's http_sd endpoint
and scraping every 5 s. Ctrl-C stops everything.`,
  async run(argv, io) {
    const { values } = parseVerbArgs(argv, {
      "prometheus-port": { type: "string", default: process.env.SKEIN_PROMETHEUS_PORT ?? "9090" },
      "port-base": { type: "string", default: "15100" },
      "control-plane-port": { type: "string", default: "15000" },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    const { parseMeshFile } = await import("../runner/mesh-file.ts");
    const { up } = await import("../runner/up.ts");
    const { ensurePrometheus, startPrometheus } = await import("../runner/prometheus.ts");
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
    const traffic = mesh.state.workloads.find((w) => w.name === "traffic");
    io.stdout(formatPorts(mesh.state));
    io.stdout(`
Skein demo is running.
  Control plane API  ${cp}   (token in ${join(dir, "admin-token")})
  Prometheus         ${prometheus ? prometheus.url : "not running (see above)"}
  Console            not built yet: use the CLI below
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
    await prometheus?.stop();
    await mesh.stop();
    return reason === "interrupted" || reason === "terminated" ? 0 : 1;
  },
};
