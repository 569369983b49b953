// The control plane under test: the real `skein controlplane` in its own process (so /proc
// gives its memory and CPU alone), with a fresh state directory, and the admin calls the
// bench makes to it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Pool } from "undici";
import type { ApplyResult, Workload } from "@skein/shared";
import { startProcess, type Started } from "../proxy/processes.ts";

const REPO = join(import.meta.dirname, "..", "..");
const SKEIN = join(REPO, "apps", "mesh", "bin", "skein.mjs");

export interface RunningControlPlane {
  process: Started;
  url: string;
  api: ControlPlaneApi;
}

export async function startControlPlane(o: { stateDir: string; cpuProfileDir?: string }): Promise<RunningControlPlane> {
  const args = [
    ...(o.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${o.cpuProfileDir}`, "--cpu-prof-name=controlplane.cpuprofile"] : []),
    SKEIN,
    "controlplane",
    "--port",
    "0",
    "--state-dir",
    o.stateDir,
  ];
  // Start-up applies the migrations and has tsx compile the sources: allow for a busy machine.
  const proc = await startProcess("skein controlplane", { args, cwd: REPO, ready: /serving (http:\/\/127\.0\.0\.1:\d+)/, timeoutMs: 90_000 });
  const url = proc.ready[1]!;
  const adminToken = readFileSync(join(o.stateDir, "admin-token"), "utf8").trim();
  return { process: proc, url, api: new ControlPlaneApi(url, adminToken) };
}

export class ControlPlaneApi {
  private readonly pool: Pool;

  constructor(
    url: string,
    private readonly adminToken: string,
  ) {
    this.pool = new Pool(url, { connections: 16 });
  }

  /** POST /api/v1/apply; throws unless the change was committed. */
  async apply(yaml: string, message: string): Promise<ApplyResult> {
    return this.call<ApplyResult>("POST", "/api/v1/apply", { files: [{ file: "bench.yaml", text: yaml }], message });
  }

  /** POST /api/v1/join-tokens for each workload, a few at a time; in the workloads' order. */
  async joinTokens(workloads: readonly Workload[], atOnce = 16): Promise<string[]> {
    const tokens: string[] = new Array<string>(workloads.length);
    let next = 0;
    const worker = async () => {
      while (next < workloads.length) {
        const i = next++;
        const w = workloads[i]!;
        const { token } = await this.call<{ token: string }>("POST", "/api/v1/join-tokens", { namespace: w.namespace, serviceAccount: w.serviceAccount, workload: w.name });
        tokens[i] = token;
      }
    };
    await Promise.all(Array.from({ length: atOnce }, worker));
    return tokens;
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }

  private async call<T>(method: "POST", path: string, body: unknown): Promise<T> {
    const res = await this.pool.request({
      method,
      path,
      headers: { authorization: `Bearer ${this.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }
}
