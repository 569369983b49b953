import { describe, expect, it } from "vitest";
import { authorityOf, formFromParams, isComplete, paramsFromForm, parseHeaderLines, requestOf } from "./route-test-params";

describe("parseHeaderLines", () => {
  it.each([
    ["end-user: jason", { "end-user": "jason" }, []],
    ["End-User:jason\n\nX-A: 1", { "end-user": "jason", "x-a": "1" }, []],
    ["x-a: 1\nx-a: 2", { "x-a": ["1", "2"] }, []],
    ["cookie: a=b; c=d:e", { cookie: "a=b; c=d:e" }, []],
    ["x-empty:", { "x-empty": "" }, []],
    ["no colon here\nx-ok: y", { "x-ok": "y" }, [{ line: 1, text: "no colon here" }]],
    [": value", {}, [{ line: 1, text: ": value" }]],
    ["bad name: v", {}, [{ line: 1, text: "bad name: v" }]],
  ])("reads %j", (text, headers, errors) => {
    expect(parseHeaderLines(text)).toEqual({ headers, errors });
  });
});

describe("authorityOf", () => {
  it.each([
    ["reviews:9080", "reviews:9080"],
    [" http://reviews:9080/reviews/1 ", "reviews:9080"],
    ["reviews.shop/x", "reviews.shop"],
  ])("%j -> %j", (host, authority) => expect(authorityOf(host)).toBe(authority));
});

describe("route tester URL", () => {
  it("round-trips a form through the URL", () => {
    const form = { source: "shop/traffic", host: "reviews:9080", method: "POST", path: "/reviews/1?x=1", headers: "end-user: jason" };
    expect(formFromParams(paramsFromForm(form))).toEqual(form);
  });

  it("asks nothing until a source and a host are given", () => {
    expect(isComplete(formFromParams(new URLSearchParams("host=reviews")))).toBe(false);
    expect(isComplete(formFromParams(new URLSearchParams("source=shop/traffic&host=reviews")))).toBe(true);
  });

  it("builds the API request", () => {
    expect(requestOf({ source: "shop/traffic", host: "http://reviews:9080", method: "GET", path: "", headers: "End-User: jason" })).toEqual({
      source: { namespace: "shop", name: "traffic" },
      host: "reviews:9080",
      method: "GET",
      path: "/",
      headers: { "end-user": "jason" },
    });
  });
});
