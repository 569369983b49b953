/**
 * Static stability under `skein up`: the control plane is killed outright (SIGKILL, as a
 * crash or an OOM kill would), and traffic between the workloads keeps flowing on the
 * config and certificates the sidecars already hold; the runner keeps the workloads up.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { all, ECHO_MESH, echoRoute, echoVersions, STRICT_MTLS, untilTraffic, type EchoReply } from "./echo-mesh.ts";
import { running, sleep, usingSkeinUp } from "./skein-up.ts";

const startMesh = usingSkeinUp();

async function refuses(url: string): Promise<boolean> {
  try {
    const r = await request(url, { signal: AbortSignal.timeout(2000) });
    await r.body.dump();
    return false;
  } catch {
    return true;
  }
}

describe("the control plane killed under skein up", () => {
  it("traffic between workloads keeps flowing on the sidecars' last config, with mTLS", { timeout: 90_000 }, async () => {
    const { mesh } = await startMesh({ yaml: ECHO_MESH + STRICT_MTLS });
    // A change made before the loss must survive it: route everything to v2.
    writeFileSync(join(mesh.dir, "to-v2.yaml"), echoRoute("v2"));
    const applied = await mesh.skein("apply", "-f", join(mesh.dir, "to-v2.yaml"));
    expect(applied.code, applied.stderr).toBe(0);
    expect(await untilTraffic(mesh, all("v2"))).toEqual(Array(10).fill("v2"));

    const state = mesh.state();
    expect(state.controlPlane.pid).toEqual(expect.any(Number));
    process.kill(state.controlPlane.pid!, "SIGKILL");
    const until = Date.now() + 10_000;
    while ((running(state.controlPlane.pid!) || !(await refuses(`${state.controlPlane.url}/healthz`))) && Date.now() < until) await sleep(100);
    expect(running(state.controlPlane.pid!)).toBe(false);
    expect(await refuses(`${state.controlPlane.url}/healthz`)).toBe(true);

    // Every request over the next stretch is answered by v2, through both sidecars, with the client's identity.
    const answers: string[] = [];
    for (let round = 0; round < 5; round++) {
      answers.push(...(await echoVersions(mesh, 10)));
      await sleep(200);
    }
    expect(answers).toEqual(Array(50).fill("v2"));
    const curled = await mesh.skein("curl", "client", "-n", "demo", "http://echo:8080/while-the-control-plane-is-down");
    expect(curled.code, curled.stderr).toBe(0);
    const reply = JSON.parse(curled.stdout) as EchoReply;
    expect(reply.version).toBe("v2");
    expect(reply.headers["x-forwarded-client-cert"]).toContain("URI=spiffe://cluster.local/ns/demo/sa/client");

    // The runner noticed, said so, and kept every workload's app and sidecar running.
    expect(mesh.alive).toBe(true);
    expect(mesh.stderr).toMatch(/the control plane exited \(killed; see .*controlplane\.log\); the workloads keep serving/);
    for (const w of state.workloads) expect([w.instance, running(w.pids.app!), running(w.pids.sidecar!)]).toEqual([w.instance, true, true]);

    // `skein status` still answers, and says the workloads are not in touch with the control plane.
    const status = await mesh.skein("status", "-o", "json");
    expect(status.code).toBe(0);
    expect(status.stderr).toMatch(/cannot reach the control plane/);
    expect((JSON.parse(status.stdout) as { workloads: { ready: boolean }[] }).workloads.map((w) => w.ready)).toEqual([false, false, false]);
  });
});
