/** One document's text within a YAML stream, with the line it starts on (0-based). */
export interface DocumentChunk {
  text: string;
  startLine: number;
}

// A marker is `---` or `...` at column 0, followed by white space or the end of the line.
const MARKER = /^(---|\.\.\.)(?=[ \t\r\n]|$)/gm;

/**
 * Splits a YAML stream at its document markers. The YAML spec forbids `---` and `...` at
 * column 0 inside any scalar (c-forbidden), so a marker line is always a boundary; this
 * lets each document be parsed, and located, on its own. Scans with one regex and slices,
 * never splitting the text into lines (10,000 documents: a few milliseconds).
 */
export function splitDocuments(text: string): DocumentChunk[] {
  const chunks: DocumentChunk[] = [];
  let start = 0;
  let startLine = 0;
  // Line number at `counted`, advanced incrementally so counting newlines is one pass.
  let counted = 0;
  let line = 0;
  const lineAt = (pos: number) => {
    for (let i = text.indexOf("\n", counted); i !== -1 && i < pos; i = text.indexOf("\n", i + 1)) line++;
    counted = pos;
    return line;
  };
  const push = (end: number, prefix: string, atMarker: boolean) => {
    const body = prefix + text.slice(start, end);
    // Before a marker, the newline ends the marker's line, not this document's content.
    const trimmed = atMarker && body.endsWith("\n") ? body.slice(0, -1) : body;
    if (trimmed.length > 0 || prefix.length > 0) chunks.push({ text: trimmed, startLine });
  };
  let pendingPrefix = "";
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m !== null; m = MARKER.exec(text)) {
    push(m.index, pendingPrefix, true);
    const markerLine = lineAt(m.index);
    const eol = text.indexOf("\n", m.index);
    const lineEnd = eol === -1 ? text.length : eol;
    const rest = text.slice(m.index + 3, lineEnd);
    if (m[1] === "---" && rest.trim() !== "") {
      // Content on the marker line (`--- {a: 1}`): keep it, marker blanked so columns stay true.
      pendingPrefix = "   ";
      start = m.index + 3;
      startLine = markerLine;
    } else {
      pendingPrefix = "";
      start = eol === -1 ? text.length : eol + 1;
      startLine = markerLine + 1;
    }
  }
  if (start < text.length || pendingPrefix) push(text.length, pendingPrefix, false);
  return chunks.filter((c) => c.text.length > 0);
}
