/**
 * `skein up` with the echo mesh, seen through `skein status -o json` and `skein curl`:
 * the documented status shape, and `builtin:echo` telling who it is and who called.
 */
import { describe, expect, it } from "vitest";
import { ECHO_MESH, type EchoReply } from "./echo-mesh.ts";
import { usingSkeinUp } from "./skein-up.ts";

const startMesh = usingSkeinUp();

describe("skein up, skein status and builtin:echo", () => {
  it("reports every workload ready in the documented shape; builtin:echo answers with who it is and who called, and obeys ?status and ?delay", { timeout: 90_000 }, async () => {
    const { mesh, status } = await startMesh({ yaml: ECHO_MESH });
    const sa = { client: "client", "echo-v1": "echo", "echo-v2": "echo" };

    expect(status).toStrictEqual({
      controlPlane: { url: `http://127.0.0.1:${mesh.controlPlanePort}` },
      workloads: Object.entries(sa).map(([name, serviceAccount], i) => {
        const base = mesh.portBase + 4 * i;
        return {
          name,
          namespace: "demo",
          ready: true,
          identity: `spiffe://cluster.local/ns/demo/sa/${serviceAccount}`,
          app: { port: base },
          sidecar: { inboundPort: base + 1, outboundPort: base + 2, metricsPort: base + 3, configVersion: expect.stringMatching(/^\S+$/) },
        };
      }),
    });
    // What `skein up` printed agrees with status.
    expect(mesh.stdout).toContain(`Control plane http://127.0.0.1:${mesh.controlPlanePort}`);
    expect(mesh.stdout).toMatch(new RegExp(`echo-v2\\s+demo\\s+${mesh.portBase + 8}\\s+${mesh.portBase + 9}\\s+${mesh.portBase + 10}\\s+${mesh.portBase + 11}`));

    // Independent commands, side by side (each is a process start): the status table, and
    // builtin:echo called through the client's sidecar with `skein curl`.
    const [table, hello, teapot, slow] = await Promise.all([
      mesh.skein("status"),
      mesh.skein("curl", "client", "-n", "demo", "-X", "POST", "-d", "ping", "http://echo:8080/hello?name=skein"),
      mesh.skein("curl", "-i", "client", "-n", "demo", "http://echo:8080/teapot?status=418"),
      mesh.skein("curl", "-i", "client", "-n", "demo", "http://echo:8080/slow?delay=400ms"),
    ]);

    // The table form shows the same readiness and config versions.
    expect(table.code).toBe(0);
    for (const w of status.workloads) expect(table.stdout).toMatch(new RegExp(`^${w.name}\\s+demo\\s+yes\\s+${w.sidecar.configVersion}\\s`, "m"));

    expect(hello.code, hello.stderr).toBe(0);
    const reply = JSON.parse(hello.stdout) as EchoReply;
    expect(reply).toMatchObject({ workload: "echo-v1", namespace: "demo", version: "v1", method: "POST", path: "/hello?name=skein", body: "ping" });
    // The client's sidecar proved its CA-issued identity to echo's sidecar, which passes it on.
    const xfcc = reply.headers["x-forwarded-client-cert"];
    expect(xfcc).toContain("URI=spiffe://cluster.local/ns/demo/sa/client");
    expect(xfcc).toContain("By=spiffe://cluster.local/ns/demo/sa/echo");

    expect(teapot.code).toBe(1);
    expect(teapot.stdout).toMatch(/^HTTP\/1\.1 418\n/);
    expect(JSON.parse(teapot.stdout.slice(teapot.stdout.indexOf("\n\n") + 2))).toMatchObject({ workload: "echo-v1", path: "/teapot?status=418" });

    expect(slow.code, slow.stderr).toBe(0);
    expect(slow.stdout).toMatch(/^HTTP\/1\.1 200\n/);
    // The sidecar measured the upstream's time: the delay is in it (a lower bound, so not timing-sensitive).
    const upstreamMs = Number(/^x-envoy-upstream-service-time: (\d+)$/m.exec(slow.stdout)?.[1]);
    expect(upstreamMs).toBeGreaterThanOrEqual(400);
  });
});
