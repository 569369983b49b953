import { describe, expect, it } from "vitest";
import { formatResponseFlags, RESPONSE_FLAGS } from "./response-flags.ts";

describe("formatResponseFlags", () => {
  it("prints a dash when no flag is set, as Envoy does", () => {
    expect(formatResponseFlags([])).toBe("-");
    expect(formatResponseFlags(undefined)).toBe("-");
  });

  it("prints a single flag as is", () => {
    expect(formatResponseFlags(["UH"])).toBe("UH");
  });

  it("orders several flags in Envoy's order, comma-joined", () => {
    // Envoy's own utility test: timeout + delay + fault prints "UT,DI,FI".
    expect(formatResponseFlags(["FI", "DI", "UT"])).toBe("UT,DI,FI");
    expect(formatResponseFlags(["URX", "UF"])).toBe("UF,URX");
  });

  it("prints a repeated flag once", () => {
    expect(formatResponseFlags(["UF", "UF"])).toBe("UF");
  });

  it("knows every flag the data path raises", () => {
    for (const f of ["UH", "UF", "UO", "NR", "URX", "UT", "DC", "DI", "FI"]) expect(RESPONSE_FLAGS).toContain(f);
  });
});
