import { describe, expect, it } from "vitest";
import { parseYamlFile } from "./source.ts";

const TEXT = `# leading comment
apiVersion: v1
kind: A
spec:
  items:
  - name: x
  - name: y
    weight: 5
---
# only a comment
---
kind: B
`;

describe("parseYamlFile", () => {
  const parsed = parseYamlFile("f.yaml", TEXT);

  it("returns each non-empty document with its value and skips empty ones", () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.documents.map((d) => d.value)).toEqual([
      { apiVersion: "v1", kind: "A", spec: { items: [{ name: "x" }, { name: "y", weight: 5 }] } },
      { kind: "B" },
    ]);
    expect(parsed.documents.map((d) => d.position)).toEqual([
      { line: 2, column: 1 },
      { line: 12, column: 1 },
    ]);
  });

  it.each([
    { path: ["spec", "items", 1, "weight"], line: 8, column: 5 },
    { path: ["spec", "items", 1], line: 7, column: 5 },
    { path: ["kind"], line: 3, column: 1 },
    { path: ["spec", "missing", "deeper"], line: 4, column: 1 },
    { path: [], line: 2, column: 1 },
  ])("locates $path at $line:$column", ({ path, line, column }) => {
    expect(parsed.documents[0]!.locate(path)).toEqual({ line, column });
  });

  it("locates fields in a later document by their line in the whole file", () => {
    expect(parsed.documents[1]!.locate(["kind"])).toEqual({ line: 12, column: 1 });
  });

  it("reports broken YAML with its line instead of throwing, and keeps the other documents", () => {
    const r = parseYamlFile("bad.yaml", "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n");
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: "bad.yaml", line: expect.any(Number) });
    expect(r.errors[0]!.line).toBeGreaterThanOrEqual(3);
    expect(r.documents.map((d) => d.value)).toEqual([{ a: 1 }, { d: 4 }]);
  });

  it("reports a duplicate key as an error", () => {
    const r = parseYamlFile("dup.yaml", "a: 1\na: 2\n");
    expect(r.errors[0]?.message).toMatch(/duplicate/);
    expect(r.errors[0]?.line).toBe(2);
  });

  it("accepts CRLF line endings and a byte-order mark", () => {
    const r = parseYamlFile("win.yaml", "\uFEFFa: 1\r\nb: 2\r\n");
    expect(r.documents[0]?.value).toEqual({ a: 1, b: 2 });
  });
});

describe("parseYamlFile value types", () => {
  it("keeps timestamps and dates as strings, as Kubernetes does", () => {
    const r = parseYamlFile("t.yaml", "metadata:\n  creationTimestamp: 2024-01-01T10:00:00Z\n  day: 2024-01-01\n");
    expect(r.documents[0]!.value).toEqual({ metadata: { creationTimestamp: "2024-01-01T10:00:00Z", day: "2024-01-01" } });
  });
});
