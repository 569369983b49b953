/**
 * Time windows as the console's APIs take them: a Prometheus duration ("60s", "5m",
 * "1h30m", "1d") between one minute and one day. The lower bound keeps a rate() over the
 * window meaningful at a 15 s scrape interval (Istio's default); the upper bound keeps
 * range queries cheap.
 */
import * as z from "zod";

export const MIN_WINDOW_S = 60;
export const MAX_WINDOW_S = 86_400;

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Seconds in a Prometheus duration; undefined when it is not one. */
export function parsePromDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * UNIT_S[m[2]!]!;
  return total;
}

/** The shortest Prometheus duration for whole seconds: 3600 -> "1h", 90 -> "90s". */
export function formatPromDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60]] as const) if (s % size === 0) return `${s / size}${unit}`;
  return `${s}s`;
}

/** A window parameter: a Prometheus duration from 60s to 1d, read as seconds. */
export const windowSchema = z.string().transform((text, ctx) => {
  const seconds = parsePromDuration(text);
  if (seconds === undefined) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a Prometheus duration such as 5m or 1h` });
    return z.NEVER;
  }
  if (seconds < MIN_WINDOW_S || seconds > MAX_WINDOW_S) {
    ctx.addIssue({ code: "custom", message: `must be between 60s and 1d, got ${text}` });
    return z.NEVER;
  }
  return seconds;
});

/** A unix time in seconds (fractions allowed), as Prometheus's `time` parameter. */
export const unixSecondsSchema = z
  .string()
  .regex(/^\d{9,11}(\.\d+)?$/, "must be unix seconds, such as 1700000000")
  .transform(Number);

/** `true`/`false`/`1`/`0` in a query string. */
export const booleanParamSchema = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
