import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "./main.ts";
import { recordingIo } from "./test-io.ts";

const GOOD = `apiVersion: v1
kind: Service
metadata:
  name: reviews
spec:
  selector: {app: reviews}
  ports:
  - {name: http, port: 9080}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: reviews-v1
spec:
  selector:
    matchLabels: {app: reviews, version: v1}
  template:
    metadata:
      labels: {app: reviews, version: v1}
    spec:
      containers:
      - {name: reviews, image: example/reviews:v1}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
`;

const BAD_KIND = `apiVersion: networking.istio.io/v1
kind: VirtualServise
metadata:
  name: reviews
spec: {}
`;

const BROKEN = `apiVersion: v1
kind: Service
metadata:
  name: [broken
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "skein-validate-"));
  mkdirSync(join(dir, "conf", "nested"), { recursive: true });
  writeFileSync(join(dir, "conf", "good.yaml"), GOOD);
  writeFileSync(join(dir, "conf", "nested", "bad.yml"), BAD_KIND);
  writeFileSync(join(dir, "conf", "notes.txt"), "not yaml: [");
  writeFileSync(join(dir, "broken.yaml"), BROKEN);
});

async function run(args: string[], stdin = "") {
  const io = recordingIo(dir, stdin);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

describe("skein validate", () => {
  it("exits 0 and prints nothing for a valid file", async () => {
    const r = await run(["validate", "-f", "conf/good.yaml"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/1 file\(s\), 3 resource\(s\): 0 error\(s\)/);
  });

  it("reads a directory recursively, only *.yaml and *.yml, and exits 1 on an error", async () => {
    const r = await run(["validate", "-f", "conf"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`conf/nested/bad.yml:2:1: error SK0004 unknown kind "VirtualServise" (did you mean "VirtualService"?) (kind)\n`);
    expect(r.err).toMatch(/2 file\(s\)/);
  });

  it("reports broken YAML as a diagnostic with its line, not a stack trace", async () => {
    const r = await run(["validate", "-f", "broken.yaml"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^broken\.yaml:[45]:\d+: error SK0001 YAML syntax error: /);
  });

  it("reads standard input for -f -", async () => {
    const r = await run(["validate", "-f", "-"], BAD_KIND);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^<stdin>:2:1: error SK0004/);
  });

  it("prints the documented JSON shape, listing files without diagnostics too", async () => {
    const r = await run(["validate", "-f", "conf", "-o", "json"]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json).toEqual({
      files: [
        { file: "conf/good.yaml", resources: 3, diagnostics: [] },
        {
          file: "conf/nested/bad.yml",
          resources: 1,
          diagnostics: [
            {
              severity: "error",
              code: "SK0004",
              message: 'unknown kind "VirtualServise" (did you mean "VirtualService"?)',
              line: 2,
              column: 1,
              path: "kind",
              kind: "VirtualServise",
              name: "reviews",
              namespace: null,
            },
          ],
        },
      ],
      errors: 1,
      warnings: 0,
    });
  });

  it("fails on warnings only with --strict", async () => {
    const warnOnly = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s}\nspec: {}\n---\n";
    const empty = "# nothing here\n";
    expect((await run(["validate", "-f", "-"], empty)).code).toBe(0);
    expect((await run(["validate", "--strict", "-f", "-"], empty)).code).toBe(1);
    expect((await run(["validate", "--strict", "-f", "-"], warnOnly)).code).toBe(0);
  });

  it("reports a missing file as an error in the result", async () => {
    const r = await run(["validate", "-f", "nope.yaml", "-o", "json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).files[0]).toMatchObject({ file: "nope.yaml", diagnostics: [{ code: "SK0007", message: "cannot read: no such file or directory" }] });
  });

  it.each([
    { args: ["validate"], message: /at least one -f PATH is required/ },
    { args: ["validate", "-f", "x", "-o", "yaml"], message: /--output must be text or json/ },
    { args: ["validate", "--frobnicate"], message: /Unknown option '--frobnicate'/ },
    { args: ["validat"], message: /unknown command "validat"/ },
  ])("exits 2 on usage error $args", async ({ args, message }) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it("documents itself with --help", async () => {
    const r = await run(["validate", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: skein validate -f PATH/);
    expect((await run(["--help"])).out).toMatch(/validate\s+check Istio configuration/);
  });
});

describe("the skein binary", () => {
  it("runs from the repository root through npx-style bin and exits with the validation status", async () => {
    const bin = join(import.meta.dirname, "../../bin/skein.mjs");
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, [bin, "validate", "-f", join(dir, "conf", "good.yaml")]);
    expect(ok.stderr).toMatch(/0 error\(s\)/);
    await expect(exec(process.execPath, [bin, "validate", "-f", join(dir, "broken.yaml")])).rejects.toMatchObject({ code: 1 });
  });
});

describe("skein schema", () => {
  it("prints a kind's JSON Schema", async () => {
    const r = await run(["schema", "DestinationRule"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).properties.kind).toEqual({ type: "string", const: "DestinationRule" });
  });

  it("names the known kinds for an unknown one", async () => {
    const r = await run(["schema", "Foo"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/known: VirtualService, DestinationRule/);
  });
});
