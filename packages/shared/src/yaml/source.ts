import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import type { PathSegment } from "../diagnostics.ts";

export interface Position {
  line: number;
  column: number;
}

/** One YAML document of a file, with the means to find where any field path sits in the text. */
export interface SourceDocument {
  file: string;
  /** 0-based index of the document within its file. */
  index: number;
  /** Line where the document starts (1-based). */
  position: Position;
  value: unknown;
  /** Position of the deepest node on `path` (the key of a map entry, so the field name is pointed at). */
  locate(path: readonly PathSegment[]): Position;
}

export interface YamlError {
  file: string;
  message: string;
  line: number;
  column: number;
}

export interface ParsedFile {
  file: string;
  documents: SourceDocument[];
  errors: YamlError[];
}

/**
 * Parses every document of a multi-document YAML text. Positions are resolved lazily
 * from the syntax tree, so parsing 10,000 resources costs no more than reading them.
 */
export function parseYamlFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const errors: YamlError[] = [];
  const documents: SourceDocument[] = [];
  const pos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  docs.forEach((doc, index) => {
    for (const e of doc.errors) {
      const at = pos(e.pos[0]);
      errors.push({ file, message: firstLine(e.message), ...at });
    }
    if (doc.errors.length > 0) return;
    const value = doc.toJS({ maxAliasCount: 100 });
    // An empty document (comments only, or after a trailing `---`) is not a resource; kubectl skips it too.
    if (value === null || value === undefined) return;
    documents.push({
      file,
      index,
      position: pos(doc.contents.range?.[0] ?? doc.range[0]),
      value,
      locate: (path) => pos(locateOffset(doc, path)),
    });
  });
  // A text that is not YAML at all may parse as nothing; report it rather than staying silent.
  if (!Array.isArray(parsed)) errors.push({ file, message: "not a YAML stream", line: 1, column: 1 });
  return { file, documents, errors };
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  // yaml appends "at line N, column M" which our file:line:col prefix already says.
  return line.replace(/ at line \d+, column \d+:?$/, "");
}

function locateOffset(doc: Document, path: readonly PathSegment[]): number {
  let node: Node | null | undefined = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      const key = pair.key as Node;
      offset = key.range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}
