import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { request } from "undici";
import type { ProxySnapshot, ProxyStatus } from "@skein/shared";
import { ApiUnavailable, callApi } from "./api-client.ts";
import { parseVerbArgs, UsageError, type Io, type Verb } from "./usage.ts";
import { formatDiagnostic } from "./validate.ts";
import { isAlive, readState, stateDir, type RunnerState } from "../runner/state.ts";

const SKEIN_BIN = resolve(import.meta.dirname, "../../bin/skein.mjs");

export const upVerb: Verb = {
  name: "up",
  summary: "run a mesh on this host: control plane, workloads and their sidecars",
  usage: `Usage: skein up -f MESH.yaml [--port-base N] [--control-plane-port N] [--access-log]

Starts a control plane and, for each workload in MESH.yaml, the workload and its
sidecar, on ports planned from --port-base (4 per instance: app, inbound, outbound,
metrics), and prints them. Istio documents after the Mesh document are applied at
start; the whole file is checked first, and nothing starts if it has an error. Ctrl-C
stops everything. If a workload or its sidecar exits, the mesh stops; if the control
plane exits, the workloads keep serving on their sidecars' last config (config changes
wait for a restart). State and logs go to SKEIN_STATE_DIR (default .skein/).

Options:
  -f, --filename FILE        the mesh file (apiVersion: skein.dev/v1alpha1, kind: Mesh)
      --port-base N          first port for workloads (default 15100)
      --control-plane-port N control plane API port (default 15000)
      --access-log           write each sidecar's access log to the state dir's logs/`,
  async run(argv, io) {
    const { values } = parseVerbArgs(argv, {
      filename: { type: "string", short: "f" },
      "port-base": { type: "string", default: "15100" },
      "control-plane-port": { type: "string", default: "15000" },
      "access-log": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    });
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    if (!values.filename) throw new UsageError("-f MESH.yaml is required");
    const portBase = Number(values["port-base"]);
    const cpPort = Number(values["control-plane-port"]);
    if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65000) throw new UsageError("--port-base must be a port from 1024 to 65000");
    if (!Number.isInteger(cpPort) || cpPort < 1 || cpPort > 65535) throw new UsageError("--control-plane-port must be a port number");
    const { parseMeshFile } = await import("../runner/mesh-file.ts");
    const { up } = await import("../runner/up.ts");
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, values.filename), "utf8");
    } catch (e) {
      io.stderr(`${values.filename}:1:1: error SK0007 cannot read: ${(e as Error).message}\n`);
      return 1;
    }
    const parsed = parseMeshFile(values.filename, text);
    if (parsed.diagnostics.some((d) => d.severity === "error") || !parsed.mesh) {
      for (const d of parsed.diagnostics) io.stderr(formatDiagnostic(d) + "\n");
      return 1;
    }
    const dir = stateDir(process.env, io.cwd);
    const existing = readState(dir);
    if (existing && isAlive(existing.pid) && existing.pid !== process.pid) {
      io.stderr(`a mesh started by process ${existing.pid} is still running (state in ${dir}); stop it first, or use another SKEIN_STATE_DIR\n`);
      return 1;
    }
    let mesh;
    try {
      mesh = await up({ mesh: { mesh: parsed.mesh, istio: parsed.istio }, stateDir: dir, portBase, controlPlanePort: cpPort, skeinBin: SKEIN_BIN, log: (l) => io.stderr(`skein up: ${l}\n`), accessLog: values["access-log"] });
    } catch (e) {
      io.stderr(`skein up: ${(e as Error).message}\n`);
      return 1;
    }
    io.stdout(formatPorts(mesh.state));
    io.stdout(`\nControl plane ${mesh.state.controlPlane.url} · logs in ${join(dir, "logs")} · Ctrl-C stops the mesh\n`);
    const reason = await new Promise<string>((resolveStop) => {
      process.once("SIGINT", () => resolveStop("interrupted"));
      process.once("SIGTERM", () => resolveStop("terminated"));
      void mesh.failure.then((name) => resolveStop(`${name} exited; see ${join(dir, "logs", `${name}.log`)}`));
    });
    io.stderr(`skein up: stopping (${reason})…\n`);
    await mesh.stop();
    return reason === "interrupted" || reason === "terminated" ? 0 : 1;
  },
};

export function formatPorts(state: RunnerState): string {
  const rows = [["WORKLOAD", "NAMESPACE", "APP", "INBOUND", "OUTBOUND", "METRICS"], ...state.workloads.map((w) => [w.instance, w.namespace, String(w.ports.app), String(w.ports.inbound), String(w.ports.outbound), String(w.ports.metrics)])];
  const width = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(width[c]!)).join("  ").trimEnd()).join("\n") + "\n";
}

function runningState(io: Io): RunnerState | undefined {
  const dir = stateDir(process.env, io.cwd);
  const state = readState(dir);
  if (!state) io.stderr(`no mesh found in ${dir}: start one with \`skein up -f mesh.yaml\`\n`);
  return state;
}

export const statusVerb: Verb = {
  name: "status",
  summary: "show the running mesh: workloads, ports, readiness, config versions",
  usage: `Usage: skein status [-o table|json]

JSON: {controlPlane:{url}, workloads:[{name, namespace, ready, identity, app:{port},
sidecar:{outboundPort, inboundPort, metricsPort, configVersion}}]}`,
  async run(argv, io) {
    const { values } = parseVerbArgs(argv, { output: { type: "string", short: "o", default: "table" }, help: { type: "boolean", short: "h" } });
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    if (values.output !== "table" && values.output !== "json") throw new UsageError("--output must be table or json");
    const state = runningState(io);
    if (!state) return 1;
    let proxies: ProxyStatus[] = [];
    try {
      proxies = (await callApi<{ items: ProxyStatus[] }>({ url: state.controlPlane.url }, "GET", "/api/v1/proxies")).items;
    } catch (e) {
      if (!(e instanceof ApiUnavailable)) throw e;
      io.stderr(`warning: ${e.message}\n`);
    }
    const workloads = state.workloads.map((w) => {
      const p = proxies.find((x) => x.workload === w.instance && x.namespace === w.namespace);
      const version = p?.ackedVersion ?? null;
      return {
        name: w.instance,
        namespace: w.namespace,
        ready: Boolean(p?.connected && version && p.sentVersion === version && isAlive(w.pids.app)),
        identity: p?.identity ?? `spiffe://cluster.local/ns/${w.namespace}/sa/${w.serviceAccount}`,
        app: { port: w.ports.app },
        sidecar: { outboundPort: w.ports.outbound, inboundPort: w.ports.inbound, metricsPort: w.ports.metrics, configVersion: version },
      };
    });
    if (values.output === "json") {
      io.stdout(JSON.stringify({ controlPlane: { url: state.controlPlane.url }, workloads }, null, 2) + "\n");
    } else {
      io.stdout(`Control plane ${state.controlPlane.url}\n`);
      const rows = [["WORKLOAD", "NAMESPACE", "READY", "CONFIG", "APP", "INBOUND", "OUTBOUND", "METRICS"], ...workloads.map((w) => [w.name, w.namespace, w.ready ? "yes" : "no", w.sidecar.configVersion ?? "-", String(w.app.port), String(w.sidecar.inboundPort), String(w.sidecar.outboundPort), String(w.sidecar.metricsPort)])];
      const width = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
      for (const r of rows) io.stdout(r.map((cell, c) => cell.padEnd(width[c]!)).join("  ").trimEnd() + "\n");
    }
    return 0;
  },
};

function findWorkload(io: Io, name: string, namespace: string | undefined) {
  const state = runningState(io);
  if (!state) return undefined;
  const w = state.workloads.find((x) => (x.instance === name || x.name === name) && (!namespace || x.namespace === namespace));
  if (!w) {
    io.stderr(`no workload "${name}" in the running mesh; workloads: ${state.workloads.map((x) => x.instance).join(", ")}\n`);
    return undefined;
  }
  return w;
}

export const proxyConfigVerb: Verb = {
  name: "proxy-config",
  summary: "show the routes, clusters, endpoints and policies a sidecar holds",
  usage: `Usage: skein proxy-config WORKLOAD [-n NAMESPACE] [-o table|json]

Reads the sidecar's effective configuration (its /config_dump) from its metrics port.`,
  async run(argv, io) {
    const { values, positionals } = parseVerbArgs(argv, { namespace: { type: "string", short: "n" }, output: { type: "string", short: "o", default: "table" }, help: { type: "boolean", short: "h" } }, true);
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    if (positionals.length !== 1) throw new UsageError("usage: skein proxy-config WORKLOAD");
    const w = findWorkload(io, positionals[0]!, values.namespace);
    if (!w) return 1;
    let snap: ProxySnapshot;
    try {
      const r = await request(`http://127.0.0.1:${w.ports.metrics}/config_dump`, { signal: AbortSignal.timeout(5000) });
      snap = (await r.body.json()) as ProxySnapshot;
    } catch (e) {
      io.stderr(`cannot read ${w.instance}'s sidecar on port ${w.ports.metrics}: ${(e as Error).message}\n`);
      return 1;
    }
    if (values.output === "json") return (io.stdout(JSON.stringify(snap, null, 2) + "\n"), 0);
    io.stdout(`${w.instance}.${w.namespace}  config ${snap.version}  identity ${snap.workload.spiffeId}\n\nROUTES\n`);
    for (const vh of snap.outbound.virtualHosts) {
      for (const r of vh.routes) {
        const to = r.action.type === "route" ? r.action.clusters.map((c) => `${c.cluster}${r.action.type === "route" && r.action.clusters.length > 1 ? ` ${c.weight}` : ""}`).join(", ") : r.action.type;
        io.stdout(`  ${vh.name}  ${r.name}  ${r.match.length === 0 ? "*" : `${r.match.length} match(es)`}  -> ${to}  retries ${r.retry.attempts}${r.timeoutMs ? ` timeout ${r.timeoutMs}ms` : ""}\n`);
      }
      for (const t of vh.tcp ?? []) io.stdout(`  ${vh.name}  tcp -> ${t.clusters.map((c) => c.cluster).join(", ")}\n`);
    }
    io.stdout("\nCLUSTERS\n");
    for (const c of Object.values(snap.clusters)) {
      io.stdout(`  ${c.name}  lb ${c.lb.type}  tls ${c.tls.mode}${c.tls.auto ? " (auto)" : ""}${c.outlierDetection ? "  outlier detection" : ""}\n`);
      for (const e of c.endpoints) io.stdout(`    ${e.address}:${e.port}  ${Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(",")}\n`);
    }
    const a = snap.inbound.authorization;
    io.stdout(`\nINBOUND  mTLS ${snap.inbound.mtls.mode}${Object.keys(snap.inbound.mtls.portLevel).length ? ` (port-level ${JSON.stringify(snap.inbound.mtls.portLevel)})` : ""}\n`);
    io.stdout(`  authorization: ${a.custom.length} CUSTOM, ${a.deny.length} DENY, ${a.allow.length} ALLOW, ${a.audit.length} AUDIT${[...a.deny, ...a.allow].length ? ` (${[...a.deny, ...a.allow].map((p) => p.name).join(", ")})` : ""}\n`);
    return 0;
  },
};

export const curlVerb: Verb = {
  name: "curl",
  summary: "send a request through a workload's sidecar, like kubectl exec … curl",
  usage: `Usage: skein curl WORKLOAD URL [-X METHOD] [-H 'Name: value' ...] [-d BODY] [-i] [-n NAMESPACE]

URL names a mesh service as the workload's app would: http://reviews:9080/reviews/1.
Prints the response body (with -i, the status line and headers first); exits 1 on a
status of 400 or more.`,
  async run(argv, io) {
    const { values, positionals } = parseVerbArgs(
      argv,
      { request: { type: "string", short: "X", default: "GET" }, header: { type: "string", short: "H", multiple: true }, data: { type: "string", short: "d" }, include: { type: "boolean", short: "i", default: false }, namespace: { type: "string", short: "n" }, help: { type: "boolean", short: "h" } },
      true,
    );
    if (values.help) return (io.stdout(this.usage + "\n"), 0);
    if (positionals.length !== 2) throw new UsageError("usage: skein curl WORKLOAD URL");
    let url: URL;
    try {
      url = new URL(/^https?:\/\//.test(positionals[1]!) ? positionals[1]! : `http://${positionals[1]}`);
    } catch {
      throw new UsageError(`not a URL: "${positionals[1]}"`);
    }
    const headers: Record<string, string> = { host: url.host };
    for (const h of values.header ?? []) {
      const i = h.indexOf(":");
      if (i <= 0) throw new UsageError(`-H wants "Name: value", not "${h}"`);
      headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
    const w = findWorkload(io, positionals[0]!, values.namespace);
    if (!w) return 1;
    try {
      const r = await request(`http://127.0.0.1:${w.ports.outbound}${url.pathname}${url.search}`, {
        method: values.request!.toUpperCase() as "GET",
        headers,
        ...(values.data !== undefined ? { body: values.data } : {}),
        signal: AbortSignal.timeout(60_000),
      });
      const body = await r.body.text();
      if (values.include) {
        io.stdout(`HTTP/1.1 ${r.statusCode}\n`);
        for (const [k, v] of Object.entries(r.headers)) io.stdout(`${k}: ${Array.isArray(v) ? v.join(", ") : v}\n`);
        io.stdout("\n");
      }
      io.stdout(body.endsWith("\n") || body === "" ? body : body + "\n");
      return r.statusCode >= 400 ? 1 : 0;
    } catch (e) {
      io.stderr(`cannot reach ${w.instance}'s sidecar on port ${w.ports.outbound}: ${(e as Error).message}\n`);
      return 1;
    }
  },
};
