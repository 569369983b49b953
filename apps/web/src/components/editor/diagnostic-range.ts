import type { Diagnostic } from "@skein/shared/browser";

/**
 * The text range a validator diagnostic marks. The validator points at the start of the
 * field's key (or at a YAML syntax error); the mark runs from there to the end of that
 * line's content, so `weight: -5` is underlined whole, and a field whose value is a block
 * below marks just its key line.
 */
export function diagnosticRange(text: string, d: Pick<Diagnostic, "line" | "column">): { from: number; to: number } {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  let n = Math.min(Math.max(1, d.line), starts.length);
  let column = n === d.line ? d.column : 1;
  // A parser that hits the end of the text (an unclosed bracket) reports a blank last line: mark the content above it.
  while (n > 1 && contentOf(text, starts, n).length === 0) {
    n--;
    const above = lineOf(text, starts, n);
    column = above.length - above.trimStart().length + 1;
  }
  const start = starts[n - 1]!;
  const lineText = lineOf(text, starts, n);
  const content = contentOf(text, starts, n);
  const from = start + Math.min(Math.max(0, column - 1), lineText.length);
  const to = Math.max(from, start + content.length);
  return { from, to: to === from && from < start + lineText.length ? from + 1 : to };
}

function lineOf(text: string, starts: readonly number[], n: number): string {
  const start = starts[n - 1]!;
  const next = starts[n];
  return text.slice(start, next === undefined ? text.length : next - 1);
}

function contentOf(text: string, starts: readonly number[], n: number): string {
  return lineOf(text, starts, n).replace(/\s+#.*$/, "").trimEnd();
}

/** "line 14: expected a number, got the string "abc" (spec.http[0].route[0].weight)" — the diagnostics list's wording. */
export function diagnosticText(d: Pick<Diagnostic, "line" | "message" | "path">): string {
  return `line ${d.line}: ${d.message}${d.path ? ` (${d.path})` : ""}`;
}
