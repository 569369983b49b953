/** One document's text within a YAML stream, with the line it starts on (0-based). */
export interface DocumentChunk {
  text: string;
  startLine: number;
}

const MARKER = /^(---|\.\.\.)(?=\s|$)/;

/**
 * Splits a YAML stream at its document markers. The YAML spec forbids `---` and `...` at
 * column 0 inside any scalar (c-forbidden), so a marker line is always a boundary; this
 * lets each document be parsed, and located, on its own.
 */
export function splitDocuments(text: string): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  const lines = text.split("\n");
  let start = 0;
  let current: string[] = [];
  const flush = () => {
    if (current.length > 0) chunks.push({ text: current.join("\n"), startLine: start });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const m = MARKER.exec(line);
    if (!m) {
      current.push(line);
      continue;
    }
    flush();
    // Content may follow `--- ` on the same line (e.g. `--- !tag` or `--- {a: 1}`): keep it,
    // blanking the marker so columns stay true.
    const rest = m[1] === "---" ? " ".repeat(3) + line.slice(3) : "";
    current = rest.trim() === "" ? [] : [rest];
    start = rest.trim() === "" ? i + 1 : i;
  }
  flush();
  return chunks;
}
