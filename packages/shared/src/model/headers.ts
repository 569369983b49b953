import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, report } from "./common.ts";

/** Pseudo-headers and Host are Envoy-internal: only the authority may be rewritten. */
export function isInternalHeader(name: string): boolean {
  return name.startsWith(":") || name.toLowerCase() === "host";
}

export function isAuthorityHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === ":authority" || lower === "host";
}

/** Istio's ValidateHTTPHeaderWithAuthorityOperationName, for request add/set. */
function requestSetNameError(name: string): string | undefined {
  if (name === "") return "header name cannot be empty";
  if (isInternalHeader(name) && !isAuthorityHeader(name)) return `invalid header "${name}": header cannot have ":" prefix`;
  return undefined;
}

/** Istio's ValidateHTTPHeaderOperationName, for request remove and every response operation. */
function operationNameError(name: string): string | undefined {
  if (name === "") return "header name cannot be empty";
  if (name.toLowerCase() === "host") return `invalid header "${name}": cannot set Host header`;
  if (isInternalHeader(name)) return `invalid header "${name}": header cannot have ":" prefix`;
  return undefined;
}

// Control characters other than horizontal tab (protoc-gen-validate's header value rule).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000A-\u001F\u007F]/;

/** Istio's ValidateHTTPHeaderValue: no control characters, and well-formed %VARIABLE% expressions. */
export function headerValueError(value: string): string | undefined {
  if (CONTROL_CHARACTER.test(value)) return `header value configuration ${JSON.stringify(value)} is invalid`;
  const err = formatError(value);
  return err ? `header value configuration: ${err}` : undefined;
}

type State = "literal" | "name" | "array" | "string" | "stringBody" | "delimiter" | "argsEnd" | "variableEnd";

/**
 * Envoy's header_parser.cc (as ported by Istio): `%%` is a literal percent, `%VAR%` and
 * `%VAR(args)%` / `%VAR(["a","b"])%` are substitutions; anything else is a NACK.
 */
function formatError(value: string): string | undefined {
  let state: State = "literal";
  for (let pos = 0; pos < value.length; pos++) {
    const ch = value[pos];
    const hasNext = pos + 1 < value.length;
    switch (state) {
      case "literal":
        if (ch !== "%") break;
        if (!hasNext) return "invalid header configuration. Un-escaped %";
        if (value[pos + 1] === "%") pos++;
        else state = "name";
        break;
      case "name":
        if (ch === "%") state = "literal";
        else if (ch === "(") state = "array";
        break;
      case "array":
        if (ch === "[") state = "string";
        else if (ch !== " ") state = "stringBody";
        break;
      case "delimiter":
        if (ch === ",") state = "string";
        else if (ch === "]") state = "argsEnd";
        else if (ch !== " ") return "invalid header configuration. Expecting ',', ']', or whitespace";
        break;
      case "string":
        if (ch === '"') state = "stringBody";
        else if (ch !== " ") return `invalid header configuration. Expecting '"'`;
        break;
      case "stringBody":
        if (ch === "\\") {
          if (!hasNext) return "invalid header configuration. Un-terminated backslash in JSON string";
          pos++;
        } else if (ch === ")") state = "variableEnd";
        else if (ch === '"') state = "delimiter";
        break;
      case "argsEnd":
        if (ch === ")") state = "variableEnd";
        else if (ch !== " ") return `invalid header configuration. Expecting ')' or whitespace, but found '${ch}'`;
        break;
      case "variableEnd":
        if (ch === "%") state = "literal";
        else if (ch !== " ") return "invalid header configuration. Expecting '%' or whitespace after";
        break;
    }
  }
  if (state !== "literal") return `invalid header configuration. Un-terminated variable expression '${value}'`;
  return undefined;
}

const headerMap = z.record(z.string(), z.string());

function checkMap(map: Record<string, string> | undefined, nameError: (n: string) => string | undefined, field: string, ctx: z.RefinementCtx): void {
  for (const [name, value] of Object.entries(map ?? {})) {
    const err = nameError(name);
    if (err) report(ctx, Code.invalidHeader, err, [field, name]);
    const valueErr = headerValueError(value);
    if (valueErr) report(ctx, Code.invalidHeader, valueErr, [field, name]);
  }
}

function checkRemove(names: readonly string[] | undefined, ctx: z.RefinementCtx): void {
  (names ?? []).forEach((name, i) => {
    const err = operationNameError(name);
    if (err) report(ctx, Code.invalidHeader, err, ["remove", i]);
  });
}

const operationsShape = {
  set: headerMap.optional(),
  add: headerMap.optional(),
  remove: z.array(z.string()).optional(),
};

/** Request operations: the authority may be set or added here (Envoy rewrites Host). */
const requestOperations = obj(operationsShape).superRefine((ops, ctx) => {
  checkMap(ops.set, requestSetNameError, "set", ctx);
  checkMap(ops.add, requestSetNameError, "add", ctx);
  checkRemove(ops.remove, ctx);
});

const responseOperations = obj(operationsShape).superRefine((ops, ctx) => {
  checkMap(ops.set, operationNameError, "set", ctx);
  checkMap(ops.add, operationNameError, "add", ctx);
  checkRemove(ops.remove, ctx);
});

/** Istio's Headers: manipulations applied to the request on the way up and the response on the way down. */
export const headers = obj({
  request: requestOperations.optional(),
  response: responseOperations.optional(),
});

export type Headers = z.infer<typeof headers>;
export type HeaderOperations = NonNullable<Headers["request"]>;
