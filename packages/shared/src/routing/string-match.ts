import { RE2JS } from "re2js";
import type { StringMatch } from "../compiler/snapshot.ts";

/** A compiled StringMatch: `test` is called on the request's hot path, so it allocates nothing. */
export type StringMatcher = (value: string) => boolean;

/**
 * Envoy matches `safe_regex` against the whole value (RE2 full match). JavaScript's engine
 * runs the common subset faster; patterns only RE2 understands fall back to re2js.
 */
export function compileRegex(pattern: string): StringMatcher {
  try {
    const re = new RegExp(`^(?:${pattern})$`, "u");
    return (v) => re.test(v);
  } catch {
    const re = RE2JS.compile(pattern);
    return (v) => re.matches(v);
  }
}

export function compileStringMatch(m: StringMatch, ignoreCase = false): StringMatcher {
  if ("exact" in m) {
    if (!ignoreCase) return (v) => v === m.exact;
    const want = m.exact.toLowerCase();
    return (v) => v.toLowerCase() === want;
  }
  if ("prefix" in m) {
    if (!ignoreCase) return (v) => v.startsWith(m.prefix);
    const want = m.prefix.toLowerCase();
    return (v) => v.toLowerCase().startsWith(want);
  }
  return compileRegex(m.regex);
}
