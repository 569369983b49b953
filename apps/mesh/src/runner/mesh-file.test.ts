import { describe, expect, it } from "vitest";
import { parseMeshFile } from "./mesh-file.ts";

const MESH = `apiVersion: skein.dev/v1alpha1
kind: Mesh
spec:
  workloads:
  - name: echo
    run: builtin:echo
`;

const VS = (field: string) => `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo}
spec:
  hosts: [echo]
  ${field}:
  - route:
    - destination: {host: echo}
`;

const where = (text: string) => parseMeshFile("mesh.yaml", text).diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.path}`);

describe("parseMeshFile", () => {
  it.each([
    { name: "a valid mesh with a valid Istio document has no findings (no warnings about hosts the mesh registers at start)", text: MESH + VS("http"), want: [] },
    { name: "an Istio document's errors keep their line in the file", text: MESH + VS("htp"), want: ["11:1 error SK1003 spec", "13:3 error SK1001 spec.htp"] },
    { name: "a syntax error is reported alone, not also as a missing Mesh document", text: MESH + "   labels: {app: echo}\n", want: ["7:4 error SK0001 "] },
    { name: "a file without a Mesh document says so", text: VS("http").slice(4), want: ["1:1 error SK3001 "] },
  ])("$name", ({ text, want }) => {
    expect(where(text)).toEqual(want);
  });

  it("hands the Istio part on with the Mesh document blanked out, so its lines keep their numbers", () => {
    const parsed = parseMeshFile("mesh.yaml", MESH + VS("http"));
    expect(parsed.mesh?.spec.workloads.map((w) => w.name)).toEqual(["echo"]);
    expect(parsed.istio.text.split("\n").slice(0, 6).every((l) => l === "")).toBe(true);
  });
});
