import * as z from "zod";
import { distance } from "fastest-levenshtein";
import { Code, type CodeValue } from "./codes.ts";

/** Closest candidate to `word` if it is a plausible misspelling, for "did you mean" hints. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const allowed = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const n = nearest(word, candidates);
  return n ? ` (did you mean "${n}"?)` : "";
}

/** One line per unknown key; the issue mapper splits them so each key gets its own position. */
function unknownFieldMessage(fields: readonly string[]) {
  return (issue: { code: string; keys?: string[] }): string | undefined => {
    if (issue.code !== "unrecognized_keys" || !issue.keys) return undefined;
    return issue.keys.map((k) => `unknown field "${k}"${didYouMean(k, fields)}`).join("\n");
  };
}

/**
 * An object that rejects unknown fields and names the nearest valid spelling, so a
 * misspelt `weigth` is an error instead of a silently ignored field (kubectl's strict mode).
 */
export function obj<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, { error: unknownFieldMessage(Object.keys(shape)) });
}

/** Adds a rule violation with a stable code at `path` (relative to the refined value). */
export function report(
  ctx: z.RefinementCtx,
  code: CodeValue,
  message: string,
  path: (string | number)[] = [],
): void {
  ctx.addIssue({ code: "custom", message, path, params: { code } });
}

/** A string enum that names the nearest valid value in its error. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => {
      if (issue.code !== "invalid_value" || typeof issue.input !== "string") return undefined;
      return `unsupported value "${issue.input}": expected one of ${values.join(", ")}${didYouMean(issue.input, values)}`;
    },
  });
}

// ---- durations -------------------------------------------------------------

const UNIT_NANOS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Parses a Go/protobuf-style duration ("10s", "0.5s", "1m30s", "250ms") to nanoseconds.
 * Istio's CRDs accept Go durations; units are required. Returns undefined if malformed.
 */
export function parseDurationNanos(text: string): number | undefined {
  // Go's time.ParseDuration takes a sign; Istio then rejects anything below 1ms.
  const sign = text[0] === "-" ? -1 : 1;
  if (text[0] === "-" || text[0] === "+") text = text.slice(1);
  if (text === "") return undefined;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let i = 0;
  while (i < text.length) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return undefined;
    const [, amount, unit] = m;
    total += Number(amount) * UNIT_NANOS[unit!]!;
    i = re.lastIndex;
  }
  // Float arithmetic: round to whole nanoseconds before judging precision.
  return sign * Math.round(total);
}

export function parseDurationMs(text: string): number | undefined {
  const n = parseDurationNanos(text);
  return n === undefined ? undefined : n / 1e6;
}

/** Istio's ValidateDuration: >= 1ms and whole milliseconds. */
export const duration = z.string().superRefine((text, ctx) => {
  const nanos = parseDurationNanos(text);
  if (nanos === undefined) {
    report(ctx, Code.invalidDuration, `invalid duration "${text}": expected a number with a unit, e.g. 10s, 1.5s, 250ms, 1m`);
  } else if (nanos < 1e6) {
    report(ctx, Code.invalidDuration, `invalid duration "${text}": duration must be greater than 1ms`);
  } else if (nanos % 1e6 !== 0) {
    report(ctx, Code.invalidDuration, `invalid duration "${text}": only durations to ms precision are supported`);
  }
});

// ---- numbers ---------------------------------------------------------------

export const int32 = z.number().int().min(-2147483648).max(2147483647);
export const uint32 = z.number().int().min(0, { error: "must be non-negative" }).max(4294967295);

export const portNumber = z
  .number()
  .int()
  .superRefine((n, ctx) => {
    if (n < 1 || n > 65535) report(ctx, Code.invalidPort, `port number ${n} must be in the range 1..65535`);
  });

/** Istio's `Percent` message: 0, or within [0.0001, 100]. */
export const percent = obj({ value: z.number() }).superRefine((p, ctx) => {
  if (p.value !== 0 && (p.value < 0.0001 || p.value > 100)) {
    report(ctx, Code.invalidPercentage, `percentage ${p.value} is neither 0.0, nor in range [0.0001, 100.0]`, ["value"]);
  }
});

export function percentInRange(label = "percentage") {
  return z.number().superRefine((n, ctx) => {
    if (n < 0 || n > 100) report(ctx, Code.invalidPercentage, `${label} ${n} is not in range 0..100`);
  });
}

// ---- names and hosts -------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split(".").every((l) => isDns1123Label(l));
}

export function isIp(s: string): boolean {
  return z.ipv4().safeParse(s).success || z.ipv6().safeParse(s).success;
}

export function isCidrOrIp(s: string): boolean {
  if (isIp(s)) return true;
  return z.cidrv4().safeParse(s).success || z.cidrv6().safeParse(s).success;
}

// ---- regular expressions ---------------------------------------------------

import { RE2JS } from "re2js";

/** Istio compiles regexes with RE2 (Envoy's safe_regex); lookarounds and backreferences are errors. */
export function re2Error(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

// ---- labels ----------------------------------------------------------------

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function labelKeyError(key: string): string | undefined {
  if (key.length === 0) return "label key must not be empty";
  if (!LABEL_NAME.test(key)) return `invalid label key "${key}"`;
  return undefined;
}

export function labelValueError(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) return `invalid label value "${value}"`;
  return undefined;
}

/** Labels as in metadata.labels: valid Kubernetes label keys and values. */
export const labels = z.record(z.string(), z.string()).superRefine((m, ctx) => {
  for (const [k, v] of Object.entries(m)) {
    const err = labelKeyError(k) ?? labelValueError(v);
    if (err) report(ctx, Code.invalidSelector, err, [k]);
  }
});

/**
 * Istio's WorkloadSelector.matchLabels: exact values only (Istio rejects `*` with
 * "wildcard is not supported in selector").
 */
export const matchLabels = z.record(z.string(), z.string()).superRefine((m, ctx) => {
  for (const [k, v] of Object.entries(m)) {
    if (k.includes("*") || v.includes("*")) {
      report(ctx, Code.invalidSelector, `wildcard is not supported in selector: "${k}=${v}"`, [k]);
      continue;
    }
    const err = labelKeyError(k) ?? labelValueError(v);
    if (err) report(ctx, Code.invalidSelector, err, [k]);
  }
});

export const workloadSelector = obj({ matchLabels: matchLabels.optional() });

/** Istio's PortSelector. */
export const portSelector = obj({ number: portNumber.optional() });
