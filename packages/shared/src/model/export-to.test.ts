import { describe, expect, it } from "vitest";
import { exportToList, exportToNamespaceErrors } from "./export-to.ts";

const messages = (schema: ReturnType<typeof exportToList>, entries: string[]) => (schema.safeParse(entries).error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);

describe("exportTo", () => {
  const dr = exportToList({ serviceEntry: false });
  const se = exportToList({ serviceEntry: true });

  it.each([[["."]], [["*"]], [["ns1", "ns2"]], [["Team-A"]]])("accepts %j", (entries) => expect(messages(dr, entries)).toEqual([]));

  it.each([
    [["~"], '0: exportTo "~" (export to nobody) is allowed only in a ServiceEntry'],
    [["ns_1"], '0: exportTo entry "ns_1" must be ".", "*" or a namespace name (DNS-1123 label)'],
    [["a", "a"], "1: duplicate entries in exportTo for entry a"],
    [["a", "*"], "1: cannot have both public (*) and non-public exportTo values for a resource"],
  ])("rejects %j outside a ServiceEntry", (entries, message) => expect(messages(dr, entries)).toContain(message));

  it("lets a ServiceEntry export to nobody, but not to nobody and someone", () => {
    expect(messages(se, ["~"])).toEqual([]);
    expect(messages(se, ["~", "a"])).toContain("0: cannot export service entry to no one (~) and someone");
  });

  it('treats "." and the own namespace as the same entry', () => {
    expect(exportToNamespaceErrors([".", "prod"], "prod")).toEqual([{ index: 1, message: "duplicate entries in exportTo: . and current namespace prod" }]);
    expect(exportToNamespaceErrors([".", "dev"], "prod")).toEqual([]);
  });
});
