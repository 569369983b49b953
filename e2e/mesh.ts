/**
 * The test mesh the browser tests run against: a real `skein demo` (control plane,
 * sidecars, Prometheus, console) on its own ports and state dir, so it never collides
 * with a developer's demo on the default ports. global-setup.ts starts it; specs reach
 * it through `testMesh()`.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import type { RunnerState } from "../apps/mesh/src/runner/state.ts";

export const E2E_PORTS = {
  controlPlane: 16000,
  portBase: 16100,
  prometheus: 19090,
  console: 3200,
  /** A second console on the same mesh, in anonymous-editor mode. */
  anonymousConsole: 3201,
} as const;

export const CONSOLE_URL = `http://127.0.0.1:${E2E_PORTS.console}`;
export const PROMETHEUS_URL = `http://127.0.0.1:${E2E_PORTS.prometheus}`;

/** The console users global setup creates with `skein user add`. */
export const USERS = {
  editor: { username: "editor", password: "editor-e2e-password", role: "editor" },
  viewer: { username: "viewer", password: "viewer-e2e-password", role: "viewer" },
} as const;
export type UserName = keyof typeof USERS;

/** Global setup puts the state dir here; workers inherit the runner's environment. */
export const STATE_DIR_ENV = "SKEIN_E2E_STATE_DIR";

export interface StoredResource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion: string; [k: string]: unknown };
  spec: Record<string, unknown>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface SidecarResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class TestMesh {
  readonly state: RunnerState;
  readonly controlPlaneUrl: string;

  constructor(readonly stateDir: string) {
    this.state = JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8")) as RunnerState;
    this.controlPlaneUrl = this.state.controlPlane.url;
  }

  private adminToken(): string {
    return readFileSync(join(this.stateDir, "admin-token"), "utf8").trim();
  }

  workload(instance: string) {
    const w = this.state.workloads.find((x) => x.instance === instance);
    if (!w) throw new Error(`no workload ${instance} in the test mesh (${this.state.workloads.map((x) => x.instance).join(", ")})`);
    return w;
  }

  /** A control-plane call; admin calls carry the token the control plane wrote. */
  async cp<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.controlPlaneUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken()}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async resource(kind: string, namespace: string, name: string): Promise<StoredResource | undefined> {
    const r = await this.cp<StoredResource>("GET", `/api/v1/resources/${kind}/${namespace}/${name}`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`GET ${kind}/${namespace}/${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Applies documents (YAML or JSON text) as the admin; throws with the diagnostics when refused. */
  async apply(text: string, message = "e2e"): Promise<void> {
    const r = await this.cp<{ error?: unknown }>("POST", "/api/v1/apply", { files: [{ file: "e2e.yaml", text }], message });
    if (r.status !== 200) throw new Error(`apply refused: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }

  async remove(kind: string, namespace: string, name: string): Promise<void> {
    const r = await this.cp("DELETE", `/api/v1/resources/${kind}/${namespace}/${name}`);
    if (r.status !== 200 && r.status !== 204 && r.status !== 404) throw new Error(`DELETE ${kind}/${namespace}/${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }

  async promQuery(promql: string): Promise<PromSample[]> {
    const res = await fetch(`${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; data: { result: PromSample[] }; error?: string };
    if (body.status !== "success") throw new Error(`prometheus: ${body.error ?? res.status} for ${promql}`);
    return body.data.result;
  }

  /** The traffic generator's rate in requests per second (builtin:traffic's /rate). */
  async trafficRate(value?: number): Promise<number> {
    const port = this.workload("traffic").ports.app;
    const res = await fetch(`http://127.0.0.1:${port}/rate${value === undefined ? "" : `?value=${value}`}`, { method: value === undefined ? "GET" : "PUT", signal: AbortSignal.timeout(5000) });
    return ((await res.json()) as { rate: number }).rate;
  }

  /**
   * A request through a workload's sidecar, as its app sends it: plain HTTP to the
   * outbound listener naming the service in the Host header (what `skein curl` does).
   */
  viaSidecar(instance: string, o: { host: string; path: string; method?: string; headers?: Record<string, string> }): Promise<SidecarResponse> {
    const port = this.workload(instance).ports.outbound;
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: o.path, method: o.method ?? "GET", headers: { ...o.headers, host: o.host }, timeout: 15_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`no answer from ${instance}'s sidecar on port ${port} within 15 s`)));
      req.on("error", reject);
      req.end();
    });
  }
}

let cached: TestMesh | undefined;

export function testMesh(): TestMesh {
  const dir = process.env[STATE_DIR_ENV];
  if (!dir) throw new Error(`${STATE_DIR_ENV} is not set: the browser tests run through playwright.config.ts, whose global setup starts the test mesh`);
  cached ??= new TestMesh(dir);
  return cached;
}

/** A stored resource as an apply document: the spec without the store's bookkeeping. */
export function asDocument(r: StoredResource): string {
  return JSON.stringify({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.metadata.name, namespace: r.metadata.namespace }, spec: r.spec });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
