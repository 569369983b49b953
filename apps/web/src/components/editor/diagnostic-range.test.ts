import { describe, expect, it } from "vitest";
import { validateSources } from "@skein/shared/browser";
import { diagnosticRange, diagnosticText } from "./diagnostic-range.ts";

const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
spec:
  hosts:
    - reviews
  http:
    - route:
        - destination:
            host: reviews
            subset: v1
          weight: WEIGHT # share
`;

function firstError(text: string) {
  const d = validateSources([{ file: "editor.yaml", text }]).files[0]!.diagnostics.find((x) => x.severity === "error");
  if (!d) throw new Error("expected an error");
  return d;
}

describe("diagnosticRange", () => {
  it("underlines an invalid weight's whole field on its line", () => {
    const text = VS.replace("WEIGHT", "abc");
    const d = firstError(text);
    expect(d.line).toBe(14);
    const { from, to } = diagnosticRange(text, d);
    expect(text.slice(from, to)).toBe("weight: abc");
  });

  it("marks an unknown field's key line", () => {
    const text = VS.replace("WEIGHT # share", "10") + "      timout: 5s\n";
    const d = firstError(text);
    expect(d.message).toContain('unknown field "timout"');
    const { from, to } = diagnosticRange(text, d);
    expect(text.slice(from, to)).toBe("timout: 5s");
  });

  it("marks the position of a YAML syntax error", () => {
    const text = VS.replace("WEIGHT # share", "[10");
    const d = firstError(text);
    const { from, to } = diagnosticRange(text, d);
    expect(d.message).toMatch(/^YAML syntax error/);
    expect(text.slice(from, to)).toBe("weight: [10");
  });

  it("marks the kind of a document with a wrong kind", () => {
    const text = VS.replace("WEIGHT", "10").replace("kind: VirtualService", "kind: VirtualServce");
    const d = firstError(text);
    expect(d.line).toBe(2);
    const { from, to } = diagnosticRange(text, d);
    expect(text.slice(from, to)).toBe("kind: VirtualServce");
  });

  it("marks the last content line for positions past the end of the text", () => {
    expect(diagnosticRange("a: 1\n", { line: 9, column: 3 })).toEqual({ from: 0, to: 4 });
    expect(diagnosticRange("a: 1\n\n", { line: 2, column: 1 })).toEqual({ from: 0, to: 4 });
    expect(diagnosticRange("a: 1", { line: 1, column: 40 })).toEqual({ from: 4, to: 4 });
    expect(diagnosticRange("", { line: 1, column: 1 })).toEqual({ from: 0, to: 0 });
  });
});

describe("diagnosticText", () => {
  it("reads line, message and field", () => {
    expect(diagnosticText({ line: 14, message: "bad weight", path: "spec.http[0].route[0].weight" })).toBe("line 14: bad weight (spec.http[0].route[0].weight)");
    expect(diagnosticText({ line: 3, message: "YAML syntax error: x", path: "" })).toBe("line 3: YAML syntax error: x");
  });
});
