import { describe, expect, it } from "vitest";
import { splitDocuments } from "./split.ts";

describe("splitDocuments", () => {
  it.each([
    { name: "a single document without markers", text: "a: 1\nb: 2", chunks: [{ text: "a: 1\nb: 2", startLine: 0 }] },
    { name: "documents separated by ---", text: "a: 1\n---\nb: 2\n", chunks: [{ text: "a: 1", startLine: 0 }, { text: "b: 2\n", startLine: 2 }] },
    { name: "a leading marker", text: "---\na: 1", chunks: [{ text: "a: 1", startLine: 1 }] },
    { name: "content on the marker line keeps its column", text: "--- {a: 1}\n", chunks: [{ text: "    {a: 1}\n", startLine: 0 }] },
    { name: "an end marker ...", text: "a: 1\n...\nb: 2", chunks: [{ text: "a: 1", startLine: 0 }, { text: "b: 2", startLine: 2 }] },
    { name: "--- inside an indented block scalar is content", text: "a: |\n  ---\n  x\n", chunks: [{ text: "a: |\n  ---\n  x\n", startLine: 0 }] },
    { name: "a word starting with --- is not a marker", text: "---x: 1", chunks: [{ text: "---x: 1", startLine: 0 }] },
  ])("splits $name", ({ text, chunks }) => {
    expect(splitDocuments(text)).toEqual(chunks);
  });
});
