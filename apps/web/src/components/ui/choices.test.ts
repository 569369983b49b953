import { describe, expect, it } from "vitest";
import { optionsOf } from "./choices.ts";

describe("optionsOf", () => {
  it("lists plain values as their own labels, numbers as strings", () => {
    expect(optionsOf({ choices: ["shop", 20] })).toEqual([
      { value: "shop", label: "shop" },
      { value: "20", label: "20" },
    ]);
  });

  it("puts the blank option first and keeps labelled choices", () => {
    expect(optionsOf({ choices: [{ value: "1h", label: "Last hour" }], blank: "All" })).toEqual([
      { value: "", label: "All" },
      { value: "1h", label: "Last hour" },
    ]);
  });

  it("offers a current value the choices lack, after the blank option, labelled by unlisted", () => {
    expect(optionsOf({ choices: ["a"], blank: "All", current: "gone", unlisted: (v) => `${v} (not registered)` }).map((o) => o.label)).toEqual(["All", "gone (not registered)", "a"]);
  });

  it("does not repeat a listed current value, nor offer an unlisted one without a label for it", () => {
    expect(optionsOf({ choices: ["a", "b"], current: "b", unlisted: (v) => v }).map((o) => o.value)).toEqual(["a", "b"]);
    expect(optionsOf({ choices: ["a"], current: "gone" }).map((o) => o.value)).toEqual(["a"]);
  });

  it("offers nothing extra for an empty current value", () => {
    expect(optionsOf({ choices: ["a"], current: "", unlisted: (v) => v }).map((o) => o.value)).toEqual(["a"]);
  });
});
