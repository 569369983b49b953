import { readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";
import type { ApplyResult } from "@skein/shared";
import type { ParsedMeshFile } from "./mesh-file.ts";
import { SIDECAR_NODE_OPTIONS } from "../proxy/sidecar-node-options.ts";
import { planPorts, portsInUse, type PlannedInstance } from "./port-plan.ts";
import { startProcess, stopAll, type Supervised } from "./processes.ts";
import { writeState, type RunnerState } from "./state.ts";

export interface UpOptions {
  mesh: Required<Pick<ParsedMeshFile, "mesh" | "istio">>;
  stateDir: string;
  portBase: number;
  controlPlanePort: number;
  /** The skein CLI entry (bin/skein.mjs) the runner starts children with. */
  skeinBin: string;
  log: (line: string) => void;
  accessLog: boolean;
}

export interface RunningMesh {
  state: RunnerState;
  stop(): Promise<void>;
  /** Resolves when a workload's app or sidecar exits unexpectedly, with its name (the control plane's exit is only logged). */
  failure: Promise<string>;
}

/**
 * `skein up`: the control plane, then for every workload instance its app and its
 * sidecar, on ports planned from a base. Istio documents from the mesh file are applied
 * once the control plane answers.
 */
export async function up(o: UpOptions): Promise<RunningMesh> {
  const plan = planPorts(o.mesh.mesh.spec.workloads, o.portBase);
  const wanted = [o.controlPlanePort, ...plan.flatMap((p) => Object.values(p.ports))];
  const busy = await portsInUse(wanted);
  if (busy.length > 0) throw new Error(`ports already in use on 127.0.0.1: ${busy.join(", ")} (is another mesh running? stop it, or choose --port-base / --control-plane-port)`);
  const logDir = join(o.stateDir, "logs");
  const procs: Supervised[] = [];
  const node = process.execPath;
  let stopping = false;
  let fail!: (name: string) => void;
  const failure = new Promise<string>((r) => (fail = r));
  const watch = (p: Supervised, onExit: (code: number | null) => void = () => fail(p.name)) => {
    procs.push(p);
    void p.exited.then((code) => {
      if (!stopping) onExit(code);
    });
    return p;
  };
  const stop = async () => {
    stopping = true;
    await stopAll([...procs].reverse());
  };

  try {
    const cpUrl = `http://127.0.0.1:${o.controlPlanePort}`;
    // Losing the control plane is not fatal: sidecars keep serving their last good config
    // (static stability), so the workloads stay up; only config changes wait for it.
    const controlPlane = watch(startProcess("controlplane", node, [o.skeinBin, "controlplane", "--port", String(o.controlPlanePort), "--state-dir", o.stateDir], { logDir }), (code) =>
      o.log(`the control plane exited (${code === null ? "killed" : `code ${code}`}; see ${join(logDir, "controlplane.log")}); the workloads keep serving with their sidecars' last config, but config changes wait until the mesh is restarted`),
    );
    await waitFor(`${cpUrl}/healthz`, 60_000, () => controlPlane.child.exitCode !== null || controlPlane.child.signalCode !== null, join(logDir, "controlplane.log"));
    const token = readFileSync(join(o.stateDir, "admin-token"), "utf8").trim();
    const auth = { authorization: `Bearer ${token}` };

    if (o.mesh.istio.text.trim() !== "") {
      const r = await request(`${cpUrl}/api/v1/apply`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ files: [o.mesh.istio], message: "skein up" }) });
      const body = (await r.body.json()) as ApplyResult & { error?: { message: string } };
      if (r.statusCode !== 200) throw new Error(`the Istio documents in ${o.mesh.istio.file} were refused: ${body.error?.message ?? r.statusCode}`);
      o.log(`applied ${body.changes.length} resource(s) from ${o.mesh.istio.file}`);
    }

    const state: RunnerState = { pid: process.pid, startedAt: new Date().toISOString(), controlPlane: { url: cpUrl, port: o.controlPlanePort, ...(controlPlane.child.pid ? { pid: controlPlane.child.pid } : {}) }, tokenFile: join(o.stateDir, "admin-token"), workloads: [] };
    for (const inst of plan) {
      const w = inst.workload;
      const sa = w.serviceAccount ?? w.name;
      const tr = await request(`${cpUrl}/api/v1/join-tokens`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ namespace: w.namespace, serviceAccount: sa, workload: inst.instance }) });
      const { token: joinToken } = (await tr.body.json()) as { token: string };
      const app = watch(startApp(inst, o, logDir));
      const labels = Object.entries({ app: w.service?.name ?? w.name, ...w.labels }).map(([k, v]) => `${k}=${v}`).join(",");
      const sidecar = watch(
        startProcess(`${inst.instance}.sidecar`, node, [
          ...SIDECAR_NODE_OPTIONS,
          o.skeinBin, "proxy",
          "--control-plane", cpUrl,
          "--join-token", joinToken,
          "--workload", inst.instance,
          "--namespace", w.namespace,
          "--service-account", sa,
          "--labels", labels,
          ...(w.service ? ["--service", `${w.service.name}:${w.service.port}${w.service.protocol ? `:${w.service.protocol}` : ""}`] : []),
          "--inbound-port", String(inst.ports.inbound),
          "--app-port", String(inst.ports.app),
          "--outbound-port", String(inst.ports.outbound),
          "--metrics-port", String(inst.ports.metrics),
          "--trace-endpoint", `${cpUrl}/v1/traces`,
          "--cache-dir", join(o.stateDir, "sidecars", inst.instance),
          "--access-log", o.accessLog ? join(logDir, `${inst.instance}.access.log`) : "off",
        ], { logDir }),
      );
      state.workloads.push({
        name: w.name,
        instance: inst.instance,
        namespace: w.namespace,
        serviceAccount: sa,
        labels: { app: w.service?.name ?? w.name, ...w.labels },
        ...(w.service ? { service: { name: w.service.name, port: w.service.port } } : {}),
        ports: inst.ports,
        pids: { ...(app.child.pid ? { app: app.child.pid } : {}), ...(sidecar.child.pid ? { sidecar: sidecar.child.pid } : {}) },
      });
    }
    writeState(o.stateDir, state);
    return { state, stop, failure };
  } catch (e) {
    await stop();
    throw e;
  }
}

function startApp(inst: PlannedInstance, o: UpOptions, logDir: string): Supervised {
  const w = inst.workload;
  const env = {
    ...w.env,
    PORT: String(inst.ports.app),
    SKEIN_WORKLOAD: inst.instance,
    SKEIN_NAMESPACE: w.namespace,
    SKEIN_VERSION: w.labels.version ?? "v1",
    SKEIN_OUTBOUND: `127.0.0.1:${inst.ports.outbound}`,
    HTTP_PROXY: `http://127.0.0.1:${inst.ports.outbound}`,
    NO_PROXY: "",
  };
  const builtin = /^builtin:(.+)$/.exec(w.run);
  if (builtin) return startProcess(inst.instance, process.execPath, [o.skeinBin, "app", builtin[1]!], { env, logDir });
  return startProcess(inst.instance, "/bin/sh", ["-c", w.run], { env, logDir });
}

async function waitFor(url: string, timeoutMs: number, dead: () => boolean, logFile: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (dead()) throw new Error(`the control plane exited while starting; see ${logFile}`);
    try {
      const r = await request(url, { signal: AbortSignal.timeout(1000) });
      await r.body.dump();
      if (r.statusCode === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the control plane did not answer ${url} within ${timeoutMs / 1000} s; see ${logFile}`);
}
