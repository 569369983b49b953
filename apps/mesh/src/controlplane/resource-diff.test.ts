import { describe, expect, it } from "vitest";
import { unifiedDiff } from "./resource-diff.ts";

const labels = { from: "a/x", to: "b/x" };
const lines = (...l: string[]) => l.map((s) => s + "\n").join("");

describe("unifiedDiff", () => {
  // Expected outputs are what GNU `diff -u` prints for the same inputs (without its timestamps).
  it.each([
    { name: "equal texts give no diff", before: lines("a", "b"), after: lines("a", "b"), expected: "" },
    {
      name: "a changed line with its context, then a far-away addition in a second hunk",
      before: lines("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"),
      after: lines("a", "B", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"),
      expected: lines("--- a/x", "+++ b/x", "@@ -1,5 +1,5 @@", " a", "-b", "+B", " c", " d", " e", "@@ -11,3 +11,4 @@", " k", " l", " m", "+n"),
    },
    {
      name: "changes up to 2×context lines apart share one hunk",
      before: lines("a", "b", "c", "d", "e", "f", "g", "h"),
      after: lines("A", "b", "c", "d", "e", "f", "g", "H"),
      expected: lines("--- a/x", "+++ b/x", "@@ -1,8 +1,8 @@", "-a", "+A", " b", " c", " d", " e", " f", " g", "-h", "+H"),
    },
    { name: "a created text counts from line 0 of nothing", before: "", after: lines("a", "b"), expected: lines("--- a/x", "+++ b/x", "@@ -0,0 +1,2 @@", "+a", "+b") },
    { name: "a deleted text", before: lines("a"), after: "", expected: lines("--- a/x", "+++ b/x", "@@ -1 +0,0 @@", "-a") },
    {
      name: "an inserted line in the middle",
      before: lines("a", "b", "c", "d"),
      after: lines("a", "b", "x", "c", "d"),
      expected: lines("--- a/x", "+++ b/x", "@@ -1,4 +1,5 @@", " a", " b", "+x", " c", " d"),
    },
  ])("$name", ({ before, after, expected }) => {
    expect(unifiedDiff(before, after, labels)).toBe(expected);
  });

  it("produces a patch that turns the old text into the new one, for many edited texts", () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 200; round++) {
      const before = Array.from({ length: Math.floor(next() * 30) }, () => "abcde"[Math.floor(next() * 5)]!);
      const after = before.flatMap((l) => (next() < 0.15 ? [] : next() < 0.15 ? [l, "xyz"[Math.floor(next() * 3)]!] : next() < 0.1 ? ["q"] : [l]));
      const patch = unifiedDiff(lines(...before), lines(...after), labels);
      expect(applyPatch(before, patch)).toEqual(after);
    }
  });

  it("finds a minimal edit: one replaced line among many is one - and one +", () => {
    const before = Array.from({ length: 500 }, (_, i) => `line ${i}`);
    const after = before.map((l, i) => (i === 250 ? "changed" : l));
    const patch = unifiedDiff(lines(...before), lines(...after), labels);
    expect(patch.split("\n").filter((l) => l.startsWith("-") && !l.startsWith("---"))).toEqual(["-line 250"]);
    expect(patch.split("\n").filter((l) => l.startsWith("+") && !l.startsWith("+++"))).toEqual(["+changed"]);
  });
});

/** Applies a unified diff's hunks, checking every context and removed line against the old text. */
function applyPatch(before: string[], patch: string): string[] {
  if (patch === "") return before;
  const out: string[] = [];
  let at = 0;
  for (const l of patch.split("\n").slice(2)) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(l);
    if (header) {
      const start = Number(header[1]) - (header[2] === "0" ? 0 : 1);
      while (at < start) out.push(before[at++]!);
    } else if (l.startsWith("+")) out.push(l.slice(1));
    else if (l.startsWith("-") || l.startsWith(" ")) {
      expect(before[at]).toBe(l.slice(1));
      if (l.startsWith(" ")) out.push(before[at]!);
      at++;
    }
  }
  while (at < before.length) out.push(before[at++]!);
  return out;
}
