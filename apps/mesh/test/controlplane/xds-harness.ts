/**
 * A real control plane (Router + the xDS routes + CA + registry + push, over HTTP on
 * 127.0.0.1) fed by a config store the test controls, and control-plane-fed sidecars
 * (ManagedProxy) in this process. Everything is torn down by the proxy harness's
 * `usingMesh()` after each test, even on failure.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import type { ProxyStatus, Resource, Workload, WorkloadIdentity } from "@skein/shared";
import { CaService } from "../../src/controlplane/ca-service.ts";
import { JoinTokens } from "../../src/controlplane/join-token.ts";
import { PushServer, type ConfigSource } from "../../src/controlplane/push.ts";
import { WorkloadRegistry } from "../../src/controlplane/registry.ts";
import { Router } from "../../src/controlplane/router.ts";
import { xdsRoutes } from "../../src/controlplane/xds-routes.ts";
import { ManagedProxy } from "../../src/proxy/managed.ts";
import type { SidecarPorts } from "../../src/proxy/sidecar.ts";
import { openAccessLog } from "../../src/proxy/telemetry/access-log.ts";
import { closeLater, loadYaml, waitUntil } from "../proxy/harness.ts";

/** The config store's interface, with resources the test sets (unvalidated, so a test can push what a real store would refuse). */
export class FakeConfigStore implements ConfigSource {
  private resources: Resource[] = [];
  private readonly listeners = new Set<() => void>();

  current(): readonly Resource[] {
    return this.resources;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces the whole config with the Istio resources of `yaml` (validated like an apply). */
  set(yaml: string): void {
    this.setResources(yaml.trim() === "" ? [] : loadYaml(yaml).resources);
  }

  setResources(resources: Resource[]): void {
    this.resources = resources;
    for (const l of this.listeners) l();
  }
}

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `skein-${prefix}-`));
  closeLater(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface ControlPlaneSpec {
  config: ConfigSource;
  /** Reuse a state directory (root CA, join-token secret) across restarts. */
  stateDir?: string;
  port?: number;
  workloadTtlMs?: number;
}

export interface TestControlPlane {
  url: string;
  port: number;
  stateDir: string;
  ca: CaService;
  tokens: JoinTokens;
  registry: WorkloadRegistry;
  push: PushServer;
  server: Server;
  tokenFor(w: WorkloadIdentity): string;
  proxies(): Promise<ProxyStatus[]>;
  proxy(name: string, namespace?: string): Promise<ProxyStatus | undefined>;
  /** Stops the control plane at once, dropping every stream (a crash, as sidecars see it). */
  kill(): Promise<void>;
}

export async function startControlPlane(spec: ControlPlaneSpec): Promise<TestControlPlane> {
  const stateDir = spec.stateDir ?? (await tempDir("cp"));
  const ca = await CaService.open({ stateDir, ...(spec.workloadTtlMs ? { workloadTtlMs: spec.workloadTtlMs } : {}) });
  const tokens = await JoinTokens.open(stateDir);
  const registry = await WorkloadRegistry.restore({ stateFile: join(stateDir, "registry.json"), graceMs: 1_000 });
  const push = new PushServer({ config: spec.config, registry, trustDomain: ca.trustDomain });
  const router = new Router({ admin: () => undefined, sidecar: (h) => tokens.authenticate(h) }).add(...xdsRoutes({ ca, push, registry }));
  const server = createServer((req, res) => void router.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(spec.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  let killed = false;
  const kill = async () => {
    if (killed) return;
    killed = true;
    push.close();
    await registry.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  closeLater(kill);
  const proxies = async () => {
    const res = await request(`${url}/api/v1/proxies`);
    return ((await res.body.json()) as { items: ProxyStatus[] }).items;
  };
  return {
    url,
    port,
    stateDir,
    ca,
    tokens,
    registry,
    push,
    server,
    tokenFor: (w) => tokens.mint({ namespace: w.namespace, serviceAccount: w.serviceAccount, workload: w.name }),
    proxies,
    proxy: async (name, namespace = "default") => (await proxies()).find((p) => p.workload === name && p.namespace === namespace),
    kill,
  };
}

export interface ManagedSpec {
  controlPlane: { url: string; tokenFor(w: WorkloadIdentity): string };
  workload: WorkloadIdentity;
  /** The app behind the inbound listener. */
  appPort?: number;
  /** Inbound listener port (0 = any); a restarted sidecar keeps its old one, as `skein up` does. */
  inboundPort?: number;
  service?: Workload["service"];
  cacheDir?: string;
  log?: string[];
}

export interface TestManaged {
  proxy: ManagedProxy;
  ports: SidecarPorts;
  cacheDir: string;
  close(): Promise<void>;
}

/** A control-plane-fed sidecar with quick reconnects, started and ready (cached or pushed config). */
export async function startManaged(spec: ManagedSpec): Promise<TestManaged> {
  const cacheDir = spec.cacheDir ?? (await tempDir(`sidecar-${spec.workload.name}`));
  const proxy = new ManagedProxy({
    sidecar: {
      workload: spec.workload,
      accessLog: openAccessLog({ type: "off" }),
      outboundPort: 0,
      ...(spec.appPort !== undefined ? { inbound: { port: spec.inboundPort ?? 0, appPort: spec.appPort } } : {}),
    },
    controlPlane: spec.controlPlane.url,
    token: spec.controlPlane.tokenFor(spec.workload),
    cacheDir,
    ...(spec.service ? { service: spec.service } : {}),
    backoff: { baseMs: 50, maxMs: 400 },
    log: (line) => spec.log?.push(line),
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await proxy.stop();
  };
  closeLater(close);
  const ports = await proxy.start();
  return { proxy, ports, cacheDir, close };
}

/**
 * Waits until every sidecar in `names` is connected and has ACKed what it was last sent
 * and, with `changedFrom` (an earlier `proxies()`), was sent a version other than then.
 */
export async function converged(cp: TestControlPlane, names: readonly string[], changedFrom?: readonly ProxyStatus[], withinMs = 5_000): Promise<boolean> {
  return waitUntil(async () => {
    const all = await cp.proxies();
    return names.every((n) => {
      const p = all.find((s) => s.workload === n);
      const was = changedFrom?.find((s) => s.workload === n);
      return p !== undefined && p.connected && p.sentVersion !== undefined && p.ackedVersion === p.sentVersion && (was === undefined || was.sentVersion !== p.sentVersion);
    });
  }, withinMs);
}

export function service(name: string, port = 9080): Workload["service"] {
  return { name, ports: [{ port, name: "http" }] };
}
