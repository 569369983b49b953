/**
 * Changing a running mesh's config with the CLI, as a user does: `skein apply -f` and the
 * traffic follows, `skein rollback` brings the old routing back, a stale write and a
 * half-invalid multi-document apply change nothing, and `skein get` / `history` /
 * `delete` / `proxy-config` show what happened.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { request } from "undici";
import type { Revision, StoredResource } from "@skein/shared";
import { all, ECHO_MESH, echoRoute, echoVersions, untilTraffic, type EchoReply } from "./echo-mesh.ts";
import { usingSkeinUp, type SkeinUp } from "./skein-up.ts";

const startMesh = usingSkeinUp();

/** `skein curl` from the client to echo: the version that answered. */
async function curlVersion(mesh: SkeinUp): Promise<string> {
  const r = await mesh.skein("curl", "client", "-n", "demo", "http://echo:8080/");
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as EchoReply).version;
}

/** `skein get vs echo -n demo -o json`, parsed. */
async function getEcho(mesh: SkeinUp): Promise<StoredResource> {
  const r = await mesh.skein("get", "vs", "echo", "-n", "demo", "-o", "json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StoredResource;
}

/**
 * Reads the control plane's API directly, for checks that something did NOT change:
 * the CLI's output is tested elsewhere, and each CLI call is a process start.
 */
async function api<T>(mesh: SkeinUp, path: string): Promise<T> {
  const r = await request(`${mesh.state().controlPlane.url}${path}`, { signal: AbortSignal.timeout(5000) });
  expect(r.statusCode, path).toBe(200);
  return (await r.body.json()) as T;
}

const storedEcho = (mesh: SkeinUp, kind = "VirtualService") => api<StoredResource>(mesh, `/api/v1/resources/${kind}/demo/echo`);
const revisionIds = async (mesh: SkeinUp) => (await api<{ items: Revision[] }>(mesh, "/api/v1/history?limit=100")).items.map((r) => r.id);

const subsetOf = (vs: StoredResource) => (vs.spec as { http: { route: { destination: { subset: string } }[] }[] }).http[0]!.route[0]!.destination.subset;

/** `skein history` lines, newest first, as {id, text}. */
async function history(mesh: SkeinUp, ...args: string[]): Promise<{ id: number; text: string }[]> {
  const r = await mesh.skein("history", ...args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trimEnd()
    .split("\n")
    .map((line) => ({ id: Number(/^#(\d+)\s/.exec(line)?.[1]), text: line }));
}

function writeInput(mesh: SkeinUp, name: string, text: string): string {
  const file = join(mesh.dir, name);
  writeFileSync(file, text);
  return file;
}

describe("changing the mesh's config with the CLI", () => {
  it("apply moves traffic to v2, rollback brings v1 back, stale and half-invalid applies change nothing, delete removes the route", { timeout: 120_000 }, async () => {
    const { mesh } = await startMesh({ yaml: ECHO_MESH });

    // The mesh file's VirtualService is in force: everything goes to v1.
    expect(await echoVersions(mesh, 10)).toEqual(Array(10).fill("v1"));

    // apply -> traffic follows.
    const toV2 = await mesh.skein("apply", "-f", writeInput(mesh, "to-v2.yaml", echoRoute("v2")), "-m", "all to v2");
    expect(toV2.code, toV2.stderr).toBe(0);
    expect(toV2.stdout).toBe("virtualservice/echo -n demo updated\n");
    expect(await untilTraffic(mesh, all("v2"))).toEqual(Array(10).fill("v2"));
    // Read-only commands are independent: run them side by side (each is a process start).
    const [curled, routed, v2, yaml, table, revisions] = await Promise.all([
      curlVersion(mesh),
      mesh.skein("proxy-config", "client", "-n", "demo"),
      getEcho(mesh),
      mesh.skein("get", "vs", "echo", "-n", "demo", "-o", "yaml"),
      mesh.skein("get", "vs", "-n", "demo"),
      history(mesh, "vs", "echo", "-n", "demo"),
    ]);
    expect(curled).toBe("v2");
    // The client's sidecar holds the new route; both subsets' endpoints are known to it.
    expect(routed.code, routed.stderr).toBe(0);
    expect(routed.stdout).toMatch(/^ {2}echo\.demo\.svc\.cluster\.local:8080 {2}demo\/echo#0 {2}\* {2}-> outbound\|8080\|v2\|echo\.demo\.svc\.cluster\.local\b/m);
    expect(routed.stdout).toMatch(/^ {4}127\.0\.0\.1:\d+ {2}app=echo,version=v1$/m);
    expect(subsetOf(v2)).toBe("v2");
    expect(v2.metadata.resourceVersion).toBe("2");
    expect(yaml.stdout).toMatch(/^kind: VirtualService$/m);
    expect(yaml.stdout).toMatch(/subset: v2/);
    expect(table.stdout).toMatch(/^NAMESPACE\s+NAME\s+VERSION\s+CREATED\ndemo\s+echo\s+2\s+\S+\n$/);
    expect(revisions.map((r) => r.text.replace(/^#\d+\s+change set \d+\s+\S+\s+/, ""))).toEqual([
      'admin  update VirtualService/echo -n demo (v2)  "all to v2"',
      'admin  create VirtualService/echo -n demo (v1)  "skein up"',
    ]);

    // rollback to the revision that created the route: v1 again.
    const rollback = await mesh.skein("rollback", String(revisions[1]!.id));
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toMatch(/^virtualservice\/echo -n demo updated\n/);
    expect(rollback.stdout).toMatch(/^-\s+subset: v2$/m);
    expect(rollback.stdout).toMatch(/^\+\s+subset: v1$/m);
    expect(await untilTraffic(mesh, all("v1"))).toEqual(Array(10).fill("v1"));
    const [curledBack, rolledBack, afterRollback] = await Promise.all([curlVersion(mesh), storedEcho(mesh), history(mesh)]);
    expect(curledBack).toBe("v1");
    expect(subsetOf(rolledBack)).toBe("v1");
    expect(rolledBack.metadata.resourceVersion).toBe("3");
    expect(afterRollback[0]!.text).toMatch(/update VirtualService\/echo -n demo \(v3\)/);
    const revisionsAfterRollback = await revisionIds(mesh);

    // A stale write (read at version 2, the route is at 3 now) is refused and changes nothing.
    const stale = await mesh.skein("apply", "-f", writeInput(mesh, "stale.yaml", echoRoute("v2", "2")));
    expect(stale.code).toBe(1);
    expect(stale.stdout).toBe("");
    expect(stale.stderr).toMatch(/someone changed it since you read it/);
    expect(stale.stderr).toMatch(/VirtualService demo\/echo/);
    expect(await storedEcho(mesh)).toStrictEqual(rolledBack);

    // One invalid document in a multi-document apply: nothing is applied, and the error points at its line.
    const multi = writeInput(
      mesh,
      "multi.yaml",
      `${echoRoute("v2")}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: demo}
spec:
  host: echo
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBBIN}
`,
    );
    const half = await mesh.skein("apply", "-f", multi);
    expect(half.code).toBe(1);
    expect(half.stdout).toBe("");
    expect(half.stderr).toMatch(/multi\.yaml:18:\d+: error \S+ .*ROUND_ROBBIN.* \(spec\.trafficPolicy\.loadBalancer\.simple\)/);
    expect(await storedEcho(mesh)).toStrictEqual(rolledBack);
    expect((await storedEcho(mesh, "DestinationRule")).metadata.resourceVersion).toBe("1");
    expect(await revisionIds(mesh)).toEqual(revisionsAfterRollback);
    expect(await echoVersions(mesh, 10)).toEqual(Array(10).fill("v1"));

    // delete: the route is gone (kept in history), and the service's endpoints share the traffic.
    const del = await mesh.skein("delete", "vs", "echo", "-n", "demo");
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toBe("virtualservice/echo -n demo deleted\n");
    const [gone, none, afterDelete] = await Promise.all([mesh.skein("get", "vs", "echo", "-n", "demo"), mesh.skein("get", "vs", "-n", "demo"), history(mesh)]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/not found/);
    expect(none.code).toBe(0);
    expect(none.stderr).toBe("no VirtualService found in namespace demo\n");
    expect(afterDelete[0]!.text).toMatch(/delete VirtualService\/echo -n demo/);
    const shared = await untilTraffic(mesh, (a) => a.every((v) => v === "v1" || v === "v2") && a.includes("v1") && a.includes("v2"), { n: 20 });
    expect(new Set(shared)).toEqual(new Set(["v1", "v2"]));
  });
});
