import * as z from "zod";
import { Code } from "./codes.ts";
import { duration, parseDurationNanos, report } from "./common.ts";

/**
 * A duration field as Istio reads it: Go's parser accepts a sign ("-1s"), and Istio's
 * ValidateDuration then rejects anything below 1ms. common.ts's `duration` does not
 * parse a sign, so a negative timeout would be reported as malformed instead of with
 * Istio's "duration must be greater than 1ms"; this keeps Istio's wording.
 */
export const signedDuration = z.string().superRefine((text, ctx) => {
  const sign = text[0];
  if ((sign === "-" || sign === "+") && parseDurationNanos(text.slice(1)) !== undefined) {
    if (sign === "-") {
      report(ctx, Code.invalidDuration, `invalid duration "${text}": duration must be greater than 1ms`);
      return;
    }
    copyIssues(ctx, text.slice(1));
    return;
  }
  copyIssues(ctx, text);
});

function copyIssues(ctx: z.RefinementCtx, text: string): void {
  const parsed = duration.safeParse(text);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    const code = (issue as { params?: { code?: string } }).params?.code ?? Code.invalidDuration;
    ctx.addIssue({ code: "custom", message: issue.message, params: { code } });
  }
}

/** Nanoseconds of a duration that passed `signedDuration`, or undefined. */
export function durationNanos(text: string): number | undefined {
  const unsigned = text[0] === "+" || text[0] === "-" ? text.slice(1) : text;
  const n = parseDurationNanos(unsigned);
  if (n === undefined) return undefined;
  return text[0] === "-" ? -n : n;
}
