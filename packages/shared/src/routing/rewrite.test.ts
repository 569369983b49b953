import { describe, expect, it } from "vitest";
import { applyHeaderOps, rewrittenPath } from "./rewrite.ts";

const route = (rewrite: object, match: object[] = []) => ({ rewrite, match }) as never;

describe("rewrittenPath", () => {
  it.each([
    ["/api/v1/items?x=1", route({ uri: "/v2/" }, [{ uri: { prefix: "/api/v1/" } }]), "/v2/items?x=1"],
    ["/API/v1/items", route({ uri: "/" }, [{ uri: { prefix: "/api/v1/" }, ignoreUriCase: true }]), "/items"],
    ["/exact?q", route({ uri: "/other" }, [{ uri: { exact: "/exact" } }]), "/other?q"],
    ["/a/1/b/2", route({ uriRegex: { match: "/(\\d)", rewrite: "/n\\1" } }), "/a/n1/b/n2"],
    ["/kept", route({ authority: "elsewhere" }), "/kept"],
  ])("%s becomes the expected path", (path, r, want) => {
    expect(rewrittenPath(path, r)).toBe(want);
  });
  it("leaves the path alone without a rewrite", () => {
    expect(rewrittenPath("/x?y", { match: [] } as never)).toBe("/x?y");
  });
});

describe("applyHeaderOps", () => {
  it("removes, then sets, then appends", () => {
    const h: Record<string, string | string[] | undefined> = { a: "1", b: "2", c: "3" };
    applyHeaderOps(h, { remove: ["a"], set: { B: "two" }, add: { C: "4", d: "5" } });
    expect(h).toEqual({ b: "two", c: ["3", "4"], d: "5" });
  });
});
