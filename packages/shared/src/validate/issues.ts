import type * as z from "zod";
import { Code, type CodeValue } from "../model/codes.ts";
import type { PathSegment } from "../diagnostics.ts";

export interface SchemaFinding {
  code: CodeValue | string;
  message: string;
  path: PathSegment[];
}

/** Turns zod issues into findings with stable codes and messages a person can act on. */
export function findingsFromIssues(issues: readonly z.core.$ZodIssue[], prefix: PathSegment[] = []): SchemaFinding[] {
  const out: SchemaFinding[] = [];
  for (const issue of issues) collect(issue, prefix, out);
  return out;
}

function collect(issue: z.core.$ZodIssue, prefix: PathSegment[], out: SchemaFinding[]): void {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  switch (issue.code) {
    case "unrecognized_keys": {
      // One message line per key (see model/common.ts obj()), so each key gets its own position.
      const lines = issue.message.split("\n");
      issue.keys.forEach((key, i) => {
        out.push({ code: Code.unknownField, message: lines[i] ?? `unknown field "${key}"`, path: [...path, key] });
      });
      return;
    }
    case "invalid_type": {
      const input = (issue as { input?: unknown }).input;
      if (input === undefined) {
        const field = path[path.length - 1];
        out.push({ code: Code.requiredField, message: `missing required field "${String(field)}"`, path });
      } else {
        out.push({
          code: Code.wrongType,
          message: `expected ${describeExpected(issue.expected)}, got ${describeValue(input)}`,
          path,
        });
      }
      return;
    }
    case "invalid_value":
      out.push({ code: Code.unknownEnumValue, message: issue.message, path });
      return;
    case "too_small":
    case "too_big":
      out.push({ code: Code.outOfRange, message: rangeMessage(issue), path });
      return;
    case "invalid_key": {
      for (const inner of issue.issues) collect({ ...inner, path: [] } as z.core.$ZodIssue, path, out);
      return;
    }
    case "invalid_union": {
      // Report the alternative that got furthest; unions are rare in the model.
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0];
      if (best && best.length > 0) for (const inner of best) collect(inner, path, out);
      else out.push({ code: Code.invalidValue, message: issue.message, path });
      return;
    }
    case "custom": {
      const code = (issue.params as { code?: string } | undefined)?.code ?? Code.invalidValue;
      out.push({ code, message: issue.message, path });
      return;
    }
    default:
      out.push({ code: Code.invalidValue, message: issue.message, path });
  }
}

function rangeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  // Messages written in the schema (Istio's wording) win over zod's generic ones.
  if (!issue.message.startsWith("Too ")) return issue.message;
  const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
  const rel = issue.code === "too_small" ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
  if (issue.origin === "array") return `must have ${rel} ${String(bound)} item(s)`;
  if (issue.origin === "string") return `length must be ${rel} ${String(bound)}`;
  return `must be ${rel} ${String(bound)}`;
}

function describeExpected(expected: string): string {
  return expected === "record" || expected === "object" ? "a mapping" : expected === "array" ? "a list" : `a ${expected}`;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return `${typeof v} ${String(v)}`;
}
