/**
 * Where the cursor is in a block-style YAML document, found from indentation alone so it
 * works on the half-typed text an editor holds (a parser would give up on it): the field
 * path of the mapping or sequence the cursor is in, and whether a key or a value is being
 * typed. Flow collections (`{}`, `[]`) are not looked into.
 */

export type PathSegment = string | number;

export type YamlCursor =
  | {
      at: "key";
      /** Path of the mapping the key is typed into. */
      path: PathSegment[];
      prefix: string;
      /** Offset where the typed prefix starts. */
      from: number;
      /** Column (0-based) of the key, for indenting what a completion inserts. */
      column: number;
      /** Keys the mapping has already, above or below the cursor. */
      siblings: string[];
    }
  | {
      at: "value";
      /** Path of the field whose value is typed (a key, or a sequence index for `- item`). */
      path: PathSegment[];
      prefix: string;
      from: number;
    };

interface Token {
  line: number;
  col: number;
  type: "key" | "dash";
  key?: string;
  /** The key's value is on its own line (a block mapping or sequence follows). */
  block?: boolean;
}

interface Line {
  start: number;
  text: string;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\-?:,[\]{}][^#:]*?|-[^\s#:][^#:]*?)[ \t]*:(?=[ \t]|$)/;

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (;;) {
    const end = text.indexOf("\n", start);
    lines.push({ start, text: end < 0 ? text.slice(start) : text.slice(start, end) });
    if (end < 0) return lines;
    start = end + 1;
  }
}

function unquote(key: string): string {
  if (key.startsWith('"')) {
    try {
      return JSON.parse(key) as string;
    } catch {
      return key.slice(1, -1);
    }
  }
  if (key.startsWith("'")) return key.slice(1, -1).replace(/''/g, "'");
  return key.trim();
}

/** The dashes and key a line starts with; `upTo` cuts the line (the cursor's line). */
function tokenize(text: string, line: number, upTo = text.length): { tokens: Token[]; rest: number; blockScalar: boolean } {
  const tokens: Token[] = [];
  let i = 0;
  while (text[i] === " ") i++;
  if (text[i] === "#" || i >= text.length) return { tokens, rest: i, blockScalar: false };
  while (i < upTo && text[i] === "-" && (i + 1 >= text.length || text[i + 1] === " " || text[i + 1] === "\t")) {
    tokens.push({ line, col: i, type: "dash" });
    i++;
    while (text[i] === " " || text[i] === "\t") i++;
  }
  const m = KEY.exec(text.slice(i, upTo));
  if (!m) return { tokens, rest: i, blockScalar: false };
  const after = text.slice(i + m[0].length).replace(/\s+#.*$/, "").trim();
  tokens.push({ line, col: i, type: "key", key: unquote(m[1]!), block: after === "" });
  return { tokens, rest: i + m[0].length, blockScalar: /^[|>]/.test(after) };
}

/** The lines of the YAML document (between `---` markers) that holds line `at`. */
function documentBounds(lines: readonly Line[], at: number): [number, number] {
  let first = 0;
  for (let i = at; i >= 0; i--) {
    if (/^(---|\.\.\.)(\s|$)/.test(lines[i]!.text) && i !== at) {
      first = i + 1;
      break;
    }
  }
  let last = lines.length - 1;
  for (let i = at + 1; i < lines.length; i++) {
    if (/^(---|\.\.\.)(\s|$)/.test(lines[i]!.text)) {
      last = i - 1;
      break;
    }
  }
  return [first, last];
}

function tokensOf(lines: readonly Line[], from: number, to: number): Token[] {
  const tokens: Token[] = [];
  let scalarAbove = -1;
  for (let n = from; n <= to; n++) {
    const text = lines[n]!.text;
    const indent = text.length - text.trimStart().length;
    if (text.trim() === "") continue;
    // Lines of a block scalar (`key: |`) are text, not structure.
    if (scalarAbove >= 0 && indent > scalarAbove) continue;
    scalarAbove = -1;
    const t = tokenize(text, n);
    tokens.push(...t.tokens);
    if (t.blockScalar) scalarAbove = t.tokens[t.tokens.length - 1]!.col;
  }
  return tokens;
}

/**
 * The path of the node a token at `col` (a key, or a sequence dash) belongs to, from the
 * tokens before it: a key's parent is the nearest token left of it; a dash's is the
 * nearest key at or left of it (a sequence may sit at its key's indent) or dash left of it.
 */
function pathTo(before: readonly Token[], col: number, type: Token["type"]): PathSegment[] {
  const path: PathSegment[] = [];
  let cur = { col, type };
  let i = before.length - 1;
  for (;;) {
    let items = 0;
    let parent: Token | undefined;
    for (; i >= 0; i--) {
      const t = before[i]!;
      if (cur.type === "key") {
        if (t.col < cur.col) {
          parent = t;
          break;
        }
      } else if (t.type === "dash" && t.col === cur.col) {
        items++;
      } else if ((t.type === "key" && t.col <= cur.col) || (t.type === "dash" && t.col < cur.col)) {
        parent = t;
        break;
      }
    }
    if (cur.type === "dash") path.unshift(items);
    if (!parent) return path;
    if (parent.type === "key") path.unshift(parent.key!);
    cur = { col: parent.col, type: parent.type };
    i--;
  }
}

export function yamlCursorAt(text: string, pos: number): YamlCursor | undefined {
  const lines = splitLines(text);
  let n = 0;
  while (n + 1 < lines.length && lines[n + 1]!.start <= pos) n++;
  const line = lines[n]!;
  const col = pos - line.start;
  const head = line.text.slice(0, col);
  if (/[[\]{}]/.test(head) || /(^|\s)#/.test(head)) return undefined;
  const [first, last] = documentBounds(lines, n);
  const above = tokensOf(lines, first, n - 1);
  const own = tokenize(line.text, n, col);
  const dashes = own.tokens.filter((t) => t.type === "dash");
  const keyOnLine = own.tokens.find((t) => t.type === "key");
  const before = [...above, ...dashes];

  if (keyOnLine) {
    // `key: val|` — a value is being typed.
    const valueText = line.text.slice(own.rest, col);
    const prefix = valueText.trimStart().replace(/^["']/, "");
    if (/["']\s*\S/.test(valueText.trim().slice(1)) || /^[|>]/.test(valueText.trim())) return undefined;
    return { at: "value", path: [...pathTo(before, keyOnLine.col, "key"), keyOnLine.key!], prefix, from: pos - prefix.length };
  }
  const typed = line.text.slice(own.rest, col);
  if (!/^[\w.-]*$/.test(typed)) return undefined;
  const keyCol = own.rest;
  const path = pathTo(before, keyCol, "key");
  const siblings = siblingKeys(above, tokensOf(lines, n + 1, last), keyCol, dashes.length > 0 ? dashes[dashes.length - 1]!.line : -1);
  return { at: "key", path, prefix: typed, from: pos - typed.length, column: keyCol, siblings };
}

/** Keys at `col` of the same mapping: back to the token that opens it, and on until one closes it. */
function siblingKeys(above: readonly Token[], below: readonly Token[], col: number, itemLine: number): string[] {
  const out: string[] = [];
  // A `- ` on the cursor's line starts a new item: the keys above belong to earlier items.
  if (itemLine < 0) {
    for (let i = above.length - 1; i >= 0; i--) {
      const t = above[i]!;
      if (t.col < col) break;
      if (t.type === "key" && t.col === col) out.unshift(t.key!);
    }
  }
  for (const t of below) {
    if (t.col < col || (t.type === "dash" && t.col <= col)) break;
    if (t.type === "key" && t.col === col) out.push(t.key!);
  }
  return out;
}

/** The value of the document's top-level `kind:`, to pick its schema. */
export function documentKind(text: string, pos: number): string | undefined {
  const lines = splitLines(text);
  let n = 0;
  while (n + 1 < lines.length && lines[n + 1]!.start <= pos) n++;
  const [first, last] = documentBounds(lines, n);
  for (let i = first; i <= last; i++) {
    const m = /^kind:[ \t]*["']?([A-Za-z]+)["']?[ \t]*(#.*)?$/.exec(lines[i]!.text);
    if (m) return m[1];
  }
  return undefined;
}
