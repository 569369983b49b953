import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, report } from "./common.ts";
import { regexIssue } from "./string-match.ts";

/** Envoy's RegexMatchAndSubstitute: `match` is RE2, `rewrite` may use \1-style groups. */
export const regexRewrite = obj({
  match: z.string().optional(),
  rewrite: z.string().optional(),
}).superRefine((r, ctx) => {
  if (!r.match || !r.rewrite) {
    report(ctx, Code.requiredField, "UriRegexRewrite has errors: UriRegexRewrite requires both Rewrite and Match fields to be specified", [r.match ? "rewrite" : "match"]);
    return;
  }
  const err = regexIssue(r.match, "HTTPRewrite.UriRegexRewrite.Match");
  if (err) report(ctx, Code.invalidRegex, `UriRegexRewrite has errors: ${err}`, ["match"]);
});

/**
 * Istio's HTTPRewrite: a new path (or matched prefix), a regex path rewrite, and/or a new
 * authority, applied before forwarding.
 */
export const httpRewrite = obj({
  uri: z.string().optional(),
  authority: z.string().optional(),
  uriRegexRewrite: regexRewrite.optional(),
}).superRefine((r, ctx) => {
  if (r.uri && r.uriRegexRewrite !== undefined) {
    report(ctx, Code.mutuallyExclusive, "rewrite may only contain one of URI or UriRegexRewrite", ["uriRegexRewrite"]);
  } else if (!r.uri && r.uriRegexRewrite === undefined && !r.authority) {
    report(
      ctx,
      Code.requiredField,
      "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified",
    );
  }
});

export type HTTPRewrite = z.infer<typeof httpRewrite>;
