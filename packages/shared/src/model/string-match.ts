import * as z from "zod";
import { Code, type CodeValue } from "./codes.ts";
import { obj, re2Error, report } from "./common.ts";

/**
 * Istio's StringMatch: a oneof of exact, prefix and regex. An empty match (`{}`) is
 * legal and means "present" for headers and query parameters, so "at most one" is the
 * rule here; which kinds may be empty depends on where the match is used.
 */
export const stringMatch = obj({
  exact: z.string().optional(),
  prefix: z.string().optional(),
  regex: z.string().optional(),
}).superRefine((m, ctx) => {
  const set = (["exact", "prefix", "regex"] as const).filter((k) => m[k] !== undefined);
  if (set.length > 1) {
    report(ctx, Code.mutuallyExclusive, `only one of exact, prefix or regex may be set, found ${set.join(" and ")}`, [set[1]!]);
  }
});

export type StringMatch = z.infer<typeof stringMatch>;

export interface StringMatchIssue {
  code: CodeValue;
  message: string;
  /** The field of the StringMatch at fault, for the diagnostic's position. */
  field: "exact" | "prefix" | "regex";
}

/** Envoy's re2.max_program_size guard; Istio approximates program size by length. */
const MAX_REGEX_LENGTH = 1024;

/**
 * Istio's validateStringRegexp. `where` names the field as Istio does ("uri",
 * "headers", ...), because Istio's message begins with it.
 */
export function regexIssue(re: string, where: string): string | undefined {
  if (re.length > MAX_REGEX_LENGTH) return `"${where}": regex is too large, max length allowed is ${MAX_REGEX_LENGTH}`;
  const err = re2Error(re);
  if (err === undefined) return undefined;
  return `"${where}": ${err}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`;
}

/**
 * Istio's validateStringMatchRegexp: only the regex is checked, so an empty prefix is
 * allowed. Used for URIs, where Envoy accepts an empty prefix (it matches everything).
 */
export function stringMatchRegexIssue(m: StringMatch | undefined, where: string): StringMatchIssue | undefined {
  if (m?.regex === undefined) return undefined;
  if (m.regex === "") return { code: Code.emptyValue, message: `"${where}": regex string match should not be empty`, field: "regex" };
  const message = regexIssue(m.regex, where);
  return message ? { code: Code.invalidRegex, message, field: "regex" } : undefined;
}

/**
 * Istio's validateStringMatch: an empty prefix is also rejected, as Envoy's StringMatcher
 * requires a non-empty prefix for headers, methods, schemes, authorities and query params.
 */
export function stringMatchIssue(m: StringMatch | undefined, where: string): StringMatchIssue | undefined {
  if (m?.prefix === "") return { code: Code.emptyValue, message: `"${where}": prefix string match should not be empty`, field: "prefix" };
  return stringMatchRegexIssue(m, where);
}

/** Reports a StringMatch issue at `path` (the StringMatch itself) plus the offending field. */
export function reportStringMatch(ctx: z.RefinementCtx, issue: StringMatchIssue | undefined, path: (string | number)[]): void {
  if (issue) report(ctx, issue.code, issue.message, [...path, issue.field]);
}

/** The kind of match that is set, or undefined for an empty (presence) match. */
export function matchKind(m: StringMatch): "exact" | "prefix" | "regex" | undefined {
  if (m.exact !== undefined) return "exact";
  if (m.prefix !== undefined) return "prefix";
  if (m.regex !== undefined) return "regex";
  return undefined;
}
