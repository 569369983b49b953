import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { matchKind, regexIssue, stringMatch, stringMatchIssue, stringMatchRegexIssue } from "./string-match.ts";

describe("stringMatch", () => {
  it("accepts an empty match, which means presence", () => {
    expect(stringMatch.safeParse({}).success).toBe(true);
  });
  it("rejects two kinds at once", () => {
    const r = stringMatch.safeParse({ exact: "a", regex: "b" });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ["regex"], message: expect.stringContaining("only one of exact, prefix or regex") });
  });
});

describe("string match rules", () => {
  it("allows an empty prefix where only regexes are checked (URIs)", () => {
    expect(stringMatchRegexIssue({ prefix: "" }, "uri")).toBeUndefined();
  });
  it("rejects an empty prefix elsewhere", () => {
    expect(stringMatchIssue({ prefix: "" }, "headers")).toEqual({ code: Code.emptyValue, message: '"headers": prefix string match should not be empty', field: "prefix" });
  });
  it("rejects an empty regex", () => {
    expect(stringMatchIssue({ regex: "" }, "uri")?.message).toBe('"uri": regex string match should not be empty');
  });
  it("reports RE2 syntax errors with Istio's suffix", () => {
    expect(regexIssue("a{2,1}", "uri")).toBe('"uri": error parsing regexp: invalid repeat count: `{2,1}`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)');
  });
  it("accepts RE2 syntax", () => {
    expect(regexIssue("^/api/v[0-9]+/(users|groups)$", "uri")).toBeUndefined();
  });
  it("names the kind that is set", () => {
    expect([matchKind({ exact: "" }), matchKind({ prefix: "/" }), matchKind({ regex: "." }), matchKind({})]).toEqual(["exact", "prefix", "regex", undefined]);
  });
});
