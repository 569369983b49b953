import { describe, expect, it } from "vitest";
import * as z from "zod";
import { firstIssue, labelValueSchema, nodeRefShape, paramsObject } from "./query-params.ts";

describe("paramsObject", () => {
  it("keeps the first value of a repeated parameter and drops empty ones", () => {
    expect(paramsObject(new URLSearchParams("a=1&a=2&b=&c=x"))).toEqual({ a: "1", c: "x" });
  });

  it("lets a later value stand in for an empty first one", () => {
    expect(paramsObject(new URLSearchParams("a=&a=2"))).toEqual({ a: "2" });
  });
});

describe("firstIssue", () => {
  it("names the field by its path, or `query` for the whole object", () => {
    const nested = z.object({ a: z.array(z.number()) }).safeParse({ a: [1, "x"] });
    expect(!nested.success && firstIssue(nested.error).field).toBe("a.1");
    const whole = z.object({}).refine(() => false, "nothing fits").safeParse({});
    expect(!whole.success && firstIssue(whole.error)).toEqual({ field: "query", message: "nothing fits" });
  });
});

describe("labelValueSchema", () => {
  it.each(["reviews", "v1", "a.b_c-d", "x".repeat(63)])("accepts %s", (v) => expect(labelValueSchema.safeParse(v).success).toBe(true));
  it.each(["", "-reviews", "reviews.", "a b", "x".repeat(64), 'a"}or{b'])("rejects %j", (v) => expect(labelValueSchema.safeParse(v).success).toBe(false));
});

describe("nodeRefShape", () => {
  it("requires the namespace and nothing else", () => {
    const ref = z.object(nodeRefShape);
    expect(ref.safeParse({ namespace: "shop" }).success).toBe(true);
    expect(ref.safeParse({ app: "reviews" }).success).toBe(false);
  });
});
