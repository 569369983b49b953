import { describe, expect, it } from "vitest";
import { documentKind, yamlCursorAt } from "./yaml-path.ts";

/** The cursor sits where `‸` is written. */
function at(textWithCursor: string) {
  const pos = textWithCursor.indexOf("‸");
  return yamlCursorAt(textWithCursor.slice(0, pos) + textWithCursor.slice(pos + 1), pos);
}

const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
    - reviews
  http:
    - match:
        - headers:
            end-user:
              exact: jason
      route:
        - destination:
            host: reviews
            subset: v2
          weight: 80
`;

function insertAt(line: number, text: string): string {
  const lines = VS.split("\n");
  lines.splice(line - 1, 0, text);
  return lines.join("\n");
}

describe("yamlCursorAt", () => {
  it("finds the top-level mapping", () => {
    expect(at("api‸")).toMatchObject({ at: "key", path: [], prefix: "api", column: 0 });
  });

  it("finds a key typed inside spec", () => {
    expect(at(insertAt(6, "  exp‸"))).toMatchObject({ at: "key", path: ["spec"], prefix: "exp", column: 2, siblings: ["hosts", "http"] });
  });

  it("finds a key typed in a sequence item's mapping", () => {
    expect(at(insertAt(14, "      ret‸"))).toMatchObject({ at: "key", path: ["spec", "http", 0], prefix: "ret", siblings: ["match", "route"] });
  });

  it("finds a key typed beside destination and weight in a route item", () => {
    expect(at(VS + "          head‸")).toMatchObject({ at: "key", path: ["spec", "http", 0, "route", 0], prefix: "head", siblings: ["destination", "weight"] });
  });

  it("finds a key inside a nested mapping of a sequence item", () => {
    expect(at(insertAt(17, "            po‸"))).toMatchObject({ at: "key", path: ["spec", "http", 0, "route", 0, "destination"], siblings: ["host", "subset"] });
  });

  it("counts sequence items to index the one the cursor is in", () => {
    expect(at(VS + "    - rou‸")).toMatchObject({ at: "key", path: ["spec", "http", 1], prefix: "rou", siblings: [] });
    expect(at(VS + "        - destination:\n            host: ratings\n          w‸")).toMatchObject({ path: ["spec", "http", 0, "route", 1] });
  });

  it("reads a sequence written at its key's indent", () => {
    const compact = "spec:\n  http:\n  - route:\n    - destination: {}\n";
    expect(at(compact + "      wei‸")).toMatchObject({ path: ["spec", "http", 0, "route", 0], siblings: ["destination"] });
    expect(at(compact + "    ti‸")).toMatchObject({ path: ["spec", "http", 0], siblings: ["route"] });
  });

  it("offers a value after `key: `", () => {
    expect(at(insertAt(18, "          weight: 1‸"))).toMatchObject({ at: "value", path: ["spec", "http", 0, "route", 0, "weight"], prefix: "1" });
    expect(at("spec:\n  trafficPolicy:\n    loadBalancer:\n      simple: LEA‸")).toMatchObject({ at: "value", path: ["spec", "trafficPolicy", "loadBalancer", "simple"], prefix: "LEA" });
    expect(at("kind: ‸")).toMatchObject({ at: "value", path: ["kind"], prefix: "" });
  });

  it("reads quoted keys and values", () => {
    expect(at('spec:\n  "trafficPolicy":\n    tls:\n      mode: "IS‸')).toMatchObject({ at: "value", path: ["spec", "trafficPolicy", "tls", "mode"], prefix: "IS" });
  });

  it("is a scalar item for `- ` in a list of strings", () => {
    expect(at("spec:\n  hosts:\n    - reviews\n    - ra‸")).toMatchObject({ at: "key", path: ["spec", "hosts", 1], prefix: "ra" });
  });

  it("skips comments and the lines of block scalars", () => {
    const text = "spec:\n  # a comment\n  description: |\n    host: not a key\n      deeper: neither\n  ho‸";
    expect(at(text)).toMatchObject({ at: "key", path: ["spec"], siblings: ["description"] });
  });

  it("stays within its document of a multi-document stream", () => {
    expect(at("spec:\n  host: a\n---\nspec:\n  hosts: []\n  ht‸")).toMatchObject({ path: ["spec"], siblings: ["hosts"] });
  });

  it("gives up inside flow collections and comments", () => {
    expect(at("spec: {hosts: [re‸")).toBeUndefined();
    expect(at("spec: # sub‸")).toBeUndefined();
  });
});

describe("documentKind", () => {
  it("reads the top-level kind of the document at the cursor", () => {
    const text = "kind: DestinationRule\nspec: {}\n---\napiVersion: v1\nkind: 'VirtualService' # routing\n";
    expect(documentKind(text, 3)).toBe("DestinationRule");
    expect(documentKind(text, text.length - 1)).toBe("VirtualService");
    expect(documentKind("spec:\n  kind: Nope\n", 0)).toBeUndefined();
  });
});
