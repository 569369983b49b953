import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { validateSources } from "./validate.ts";

/**
 * Istio's own manifests and invalid cases, read in place from the shared compatibility
 * folder beside the repository. Where that folder is absent (a user's clone) the suite
 * says so and skips.
 */
const COMPAT = resolve(process.env.SKEIN_COMPAT_DIR ?? join(import.meta.dirname, "../../../../../shared/compat/istio"));
const present = existsSync(join(COMPAT, "invalid", "EXPECTED.txt"));
if (!present) console.warn(`compat tests skipped: ${COMPAT} not found (set SKEIN_COMPAT_DIR to Istio's compat folder)`);

/**
 * Where Skein words a rule differently from Istio (Kubernetes API-server phrasing such as
 * "Required value"), the meaning is checked with a pattern instead of Istio's substring.
 */
const MEANING: Record<string, RegExp> = {
  "crd-destinationrule-00-bookinfo-ratings.yaml": /minimumPercent.*(0\.\.100|range)/i,
  "crd-destinationrule-01-bookinfo-ratings.yaml": /missing required field "duration"/,
  "crd-destinationrule-02-bookinfo-ratings.yaml": /aggression/i,
  "crd-peerauth-00-bad-mode.yaml": /unsupported value "BLAH"/,
  "crd-peerauth-01-bad-port.yaml": /port "acd" is not a number/,
  "crd-peerauth-03-empty-port-level.yaml": /portLevelMtls must have at least one/i,
  "crd-serviceentry-00-no-spec.yaml": /missing required field "spec"/,
  "crd-serviceentry-01-missing-host.yaml": /missing required field "hosts"|at least one host/i,
  "crd-serviceentry-06-duplicate-ports-name.yaml": /duplicate port name "a"/i,
  "crd-serviceentry-08-bad-port.yaml": /must be in the range 1\.\.65535/,
  "crd-serviceentry-09-bad-port-target.yaml": /must be in the range 1\.\.65535/,
  "crd-peerauth-04-zero-port.yaml": /must be in the range 1\.\.65535/,
  "crd-peerauth-05-high-port.yaml": /must be in the range 1\.\.65535/,
  "pa-02-port-zero.yaml": /must be in the range 1\.\.65535/,
  "gw-02-invalid-port.yaml": /port number 66000 must be in the range 1\.\.65535/,
  "dr-01-missing-host.yaml": /missing required field "host"|empty domain name not allowed/,
};

interface Case {
  file: string;
  expected: string;
}

function readExpected(): Case[] {
  return readFileSync(join(COMPAT, "invalid", "EXPECTED.txt"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => {
      const colon = l.indexOf(": ");
      const rest = l.slice(colon + 2);
      const dash = rest.indexOf(" -- ");
      return { file: l.slice(0, colon), expected: (dash >= 0 ? rest.slice(0, dash) : rest).trim() };
    });
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? yamlFilesUnder(p) : /\.ya?ml$/.test(n) ? [p] : [];
    });
}

/** Istio's message may contain "..." for an elided part: every piece must appear in order. */
function conveys(message: string, expected: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ");
  let at = 0;
  for (const piece of norm(expected).split("...").map((p) => p.trim()).filter(Boolean)) {
    const i = norm(message).indexOf(piece, at);
    if (i < 0) return false;
    at = i + piece.length;
  }
  return true;
}

describe.skipIf(!present)("Istio's invalid cases", () => {
  const cases = present ? readExpected() : [];
  it("covers every file in invalid/", () => {
    const files = readdirSync(join(COMPAT, "invalid")).filter((f) => f.endsWith(".yaml"));
    expect(cases.map((c) => c.file).sort()).toEqual(files.sort());
  });
  it.each(cases)("$file is rejected: $expected", ({ file, expected }) => {
    const text = readFileSync(join(COMPAT, "invalid", file), "utf8");
    const report = validateSources([{ file, text }]);
    const errors = report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
    expect(errors.length, "no error reported").toBeGreaterThan(0);
    const pattern = MEANING[file];
    const messages = errors.map((e) => `${e.message} (${e.path})`);
    const ok = messages.some((m) => (pattern ? pattern.test(m) : conveys(m, expected)));
    expect(ok, `none of ${JSON.stringify(messages)} conveys ${pattern ?? JSON.stringify(expected)}`).toBe(true);
  });
});

describe.skipIf(!present)("Istio's valid manifests", () => {
  const files = present ? yamlFilesUnder(join(COMPAT, "valid")) : [];
  it.each(files.map((f) => ({ file: relative(COMPAT, f), path: f })))("$file has no errors", ({ file, path }) => {
    const report = validateSources([{ file, text: readFileSync(path, "utf8") }]);
    const errors = report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
    expect(errors).toEqual([]);
    expect(report.resources.length).toBeGreaterThan(0);
  });
});
