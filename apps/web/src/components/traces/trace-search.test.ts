import { describe, expect, it } from "vitest";
import { apiPathFor, DEFAULT_SEARCH, normalizeDuration, paramsFromSearch, searchFromParams } from "./trace-search";

describe("trace search", () => {
  it("round-trips through the URL and keeps defaults out of it", () => {
    const s = { service: "reviews.shop", operation: "reviews.shop.svc.cluster.local:9080/*", minDuration: "100ms", errorsOnly: true, lookback: "15m", limit: 50 };
    expect(searchFromParams(paramsFromSearch(s))).toEqual(s);
    expect(paramsFromSearch(DEFAULT_SEARCH).toString()).toBe("");
  });

  it("falls back to the defaults for values it does not know", () => {
    expect(searchFromParams(new URLSearchParams("lookback=3y&limit=-4&minDuration=soon"))).toEqual(DEFAULT_SEARCH);
  });

  it("asks the API for errors with error=true and always names the window", () => {
    expect(apiPathFor({ ...DEFAULT_SEARCH, service: "reviews.shop", errorsOnly: true, minDuration: "1.5s" })).toBe("/api/cp/api/traces?service=reviews.shop&minDuration=1.5s&error=true&lookback=1h&limit=100");
  });

  it.each([
    ["100ms", "100ms"],
    [" 1.5 s ", "1.5s"],
    ["250", "250ms"],
    ["", ""],
    ["2 minutes", undefined],
    ["-5ms", undefined],
  ])("reads the minimum duration %j as %j", (text, out) => expect(normalizeDuration(text)).toBe(out));
});
