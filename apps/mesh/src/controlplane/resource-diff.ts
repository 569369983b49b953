/**
 * Unified diffs of two texts, line by line, in the format `diff -u` and git print, so the
 * CLI, the console and anyone's eyes read them the same way. Myers' O(ND) algorithm:
 * config edits are small, so D stays small and the diff is cheap even for large files.
 */

export interface DiffLabels {
  /** Name of the old text; "/dev/null" when there was none. */
  from: string;
  to: string;
}

type Op = " " | "-" | "+";

interface Edit {
  op: Op;
  line: string;
}

/** Beyond this many differing lines the middle is shown as replaced wholesale, bounding memory at ~D². */
const MAX_EDIT_DISTANCE = 2000;

/** The unified diff from `before` to `after` with `context` lines around changes; "" when they are equal. */
export function unifiedDiff(before: string, after: string, labels: DiffLabels, context = 3): string {
  if (before === after) return "";
  const edits = editScript(splitLines(before), splitLines(after));
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  for (const hunk of hunks(edits, context)) out.push(...hunk);
  return out.join("\n") + "\n";
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The shortest edit script, with the common prefix and suffix kept out of the search. */
function editScript(a: string[], b: string[]): Edit[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const same = (lines: string[]): Edit[] => lines.map((line) => ({ op: " ", line }));
  const middle = myers(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))];
}

function myers(a: string[], b: string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  // v[k] = furthest x reached on diagonal k; `trace[d]` keeps v as it was before step d, over k in [-d, d].
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b);
    }
  }
  return [...a.map((line): Edit => ({ op: "-", line })), ...b.map((line): Edit => ({ op: "+", line }))];
}

function backtrack(trace: Int32Array[], a: string[], b: string[]): Edit[] {
  const edits: Edit[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const row = trace[d]!;
    // row[i] holds diagonal k = i - d - 1.
    const at = (k: number) => row[k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ op: " ", line: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) edits.push({ op: "+", line: b[y - 1]! });
      else edits.push({ op: "-", line: a[x - 1]! });
    }
    x = prevX;
    y = prevY;
  }
  return edits.reverse();
}

/** Groups the edits into hunks; changes less than 2×context apart share one. */
function hunks(edits: Edit[], context: number): string[][] {
  // Line numbers (0-based) in the old and new text where each edit starts.
  const aAt: number[] = [];
  const bAt: number[] = [];
  let a = 0;
  let b = 0;
  for (const e of edits) {
    aAt.push(a);
    bAt.push(b);
    if (e.op !== "+") a++;
    if (e.op !== "-") b++;
  }
  aAt.push(a);
  bAt.push(b);

  const out: string[][] = [];
  let i = 0;
  while (i < edits.length) {
    if (edits[i]!.op === " ") {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let last = i;
    let j = i;
    while (j < edits.length) {
      if (edits[j]!.op !== " ") {
        last = j++;
        continue;
      }
      let r = j;
      while (r < edits.length && edits[r]!.op === " ") r++;
      if (r === edits.length || r - j > 2 * context) break;
      j = r;
    }
    const stop = Math.min(edits.length, last + context + 1);
    const slice = edits.slice(start, stop);
    const aCount = slice.filter((e) => e.op !== "+").length;
    const bCount = slice.filter((e) => e.op !== "-").length;
    out.push([`@@ -${range(aAt[start]!, aCount)} +${range(bAt[start]!, bCount)} @@`, ...slice.map((e) => e.op + e.line)]);
    i = stop;
  }
  return out;
}

/** `start,count` as diff prints it: 1-based, the count left out when 1, and the line before an empty range. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}
