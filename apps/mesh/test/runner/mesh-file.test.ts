/**
 * `skein up -f` with a broken mesh file: every problem is printed as file:line:column,
 * code, message and field, the exit status is 1, and nothing was started (no state dir,
 * nothing listening on the control plane's port).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { portsInUse } from "../../src/runner/port-plan.ts";
import { freePortRange, skein } from "./skein-up.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const HEAD = `apiVersion: skein.dev/v1alpha1
kind: Mesh
spec:
  workloads:
`;

const cases = [
  {
    problem: "an unknown field, with a did-you-mean",
    yaml: HEAD + "  - name: echo\n    run: builtin:echo\n    replica: 2\n",
    expected: ['mesh.yaml:7:5: error SK1001 unknown field "replica" (did you mean "replicas"?) (spec.workloads[0].replica)'],
  },
  {
    problem: "a workload listed twice",
    yaml: HEAD + "  - name: echo\n    run: builtin:echo\n  - name: other\n    run: builtin:echo\n  - name: echo\n    run: builtin:echo\n",
    expected: ["mesh.yaml:9:5: error SK3002 workload default/echo is listed twice (spec.workloads[2].name)"],
  },
  {
    problem: "bad YAML",
    yaml: HEAD + "  - name: echo\n    run: builtin:echo\n   labels: {app: echo}\n",
    expected: ["mesh.yaml:7:4: error SK0001 YAML syntax error: bad indentation of a sequence entry"],
  },
  {
    problem: "an invalid Istio document after the Mesh",
    yaml: HEAD + "  - name: echo\n    run: builtin:echo\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: echo}\nspec:\n  hosts: [echo]\n  htp:\n  - route:\n    - destination: {host: echo}\n",
    expected: ["mesh.yaml:11:1: error SK1003 http, tcp or tls must be provided in virtual service (spec)", 'mesh.yaml:13:3: error SK1001 unknown field "htp" (did you mean "http"?) (spec.htp)'],
  },
];

describe("skein up refuses a broken mesh file", () => {
  it.each(cases)("reports $problem with file:line and field, exits 1 and starts nothing", async ({ yaml, expected }) => {
    const dir = mkdtempSync(join(tmpdir(), "skein-mesh-file-it-"));
    dirs.push(dir);
    writeFileSync(join(dir, "mesh.yaml"), yaml);
    const first = await freePortRange(5);
    const stateDir = join(dir, "state");

    const r = await skein(["up", "-f", "mesh.yaml", "--port-base", String(first + 1), "--control-plane-port", String(first)], { stateDir, cwd: dir });

    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toEqual(expected);
    expect(r.stdout).toBe("");
    expect(existsSync(stateDir)).toBe(false);
    expect(await portsInUse([first, first + 1])).toEqual([]);
  });
});
