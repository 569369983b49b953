import * as z from "zod";
import { authorizationCondition } from "./authorization-condition.ts";
import { emptyValueError, ipErrors, pathTemplateError, portErrors, serviceAccountError } from "./authorization-values.ts";
import { Code } from "./codes.ts";
import { obj, report } from "./common.ts";

const strings = z.array(z.string()).optional();

/** Istio's Source: who sends the request (peer identity, JWT principal, addresses). */
export const authorizationSource = obj({
  principals: strings,
  notPrincipals: strings,
  requestPrincipals: strings,
  notRequestPrincipals: strings,
  namespaces: strings,
  notNamespaces: strings,
  serviceAccounts: strings,
  notServiceAccounts: strings,
  ipBlocks: strings,
  notIpBlocks: strings,
  remoteIpBlocks: strings,
  notRemoteIpBlocks: strings,
}).superRefine((src, ctx) => {
  for (const field of ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"] as const) {
    src[field]?.forEach((v, i) => {
      const err = v === "" ? undefined : ipErrors([v])[0];
      if (err) report(ctx, Code.invalidAddress, err, [field, i]);
    });
  }
  for (const field of ["principals", "requestPrincipals", "namespaces", "ipBlocks", "remoteIpBlocks", "notPrincipals", "notRequestPrincipals", "notNamespaces", "notIpBlocks", "notRemoteIpBlocks"] as const) {
    const err = emptyValueError(capitalize(field), src[field]);
    if (err) report(ctx, Code.emptyValue, err, [field, src[field]!.indexOf("")]);
  }
  for (const field of ["serviceAccounts", "notServiceAccounts"] as const) {
    const err = serviceAccountError(capitalize(field), src[field]);
    if (err) report(ctx, Code.invalidValue, err, [field]);
  }
});

/** Istio's Operation: what the request asks for (host, port, method, path). */
export const authorizationOperation = obj({
  hosts: strings,
  notHosts: strings,
  ports: strings,
  notPorts: strings,
  methods: strings,
  notMethods: strings,
  paths: strings,
  notPaths: strings,
}).superRefine((op, ctx) => {
  for (const field of ["ports", "notPorts"] as const) {
    op[field]?.forEach((v, i) => {
      const err = v === "" ? undefined : portErrors([v])[0];
      if (err) report(ctx, Code.invalidPort, err, [field, i]);
    });
  }
  for (const field of ["ports", "methods", "paths", "hosts", "notPorts", "notMethods", "notPaths", "notHosts"] as const) {
    const err = emptyValueError(capitalize(field), op[field]);
    if (err) report(ctx, Code.emptyValue, err, [field, op[field]!.indexOf("")]);
  }
  for (const field of ["paths", "notPaths"] as const) {
    const err = pathTemplateError(capitalize(field), op[field]);
    if (err) report(ctx, Code.invalidValue, err, [field]);
  }
});

/** Istio names fields in its messages the Go way: `Principals`, `NotIpBlocks`. */
function capitalize(field: string): string {
  return field[0]!.toUpperCase() + field.slice(1);
}

export const authorizationRule = obj({
  from: z.array(obj({ source: authorizationSource.optional() })).optional(),
  to: z.array(obj({ operation: authorizationOperation.optional() })).optional(),
  when: z.array(authorizationCondition).optional(),
});

export type AuthorizationRule = z.infer<typeof authorizationRule>;
export type AuthorizationSource = z.infer<typeof authorizationSource>;

const set = (l: readonly unknown[] | undefined): boolean => l !== undefined && l.length > 0;

/** A source that sets no field matches nothing Istio can enforce. */
function isEmptySource(src: AuthorizationSource): boolean {
  return !Object.values(src).some((v) => Array.isArray(v) && v.length > 0);
}

export interface RuleFinding {
  code: (typeof Code)[keyof typeof Code];
  message: string;
  /** Relative to the rule. */
  path: (string | number)[];
}

/**
 * The checks of Istio's ValidateAuthorizationPolicy that name the rule by its index
 * ("found at rule 0"), so they run from the policy, which knows the index.
 */
export function ruleFindings(rule: AuthorizationRule, index: number): RuleFinding[] {
  const out: RuleFinding[] = [];
  const at = `found at rule ${index}`;
  if (rule.from !== undefined && rule.from.length === 0) {
    out.push({ code: Code.emptyValue, message: `\`from\` must not be empty, ${at}`, path: ["from"] });
  }
  rule.from?.forEach((from, i) => {
    const src = from.source;
    if (!src) {
      out.push({ code: Code.requiredField, message: `\`from.source\` must not be nil, ${at}`, path: ["from", i] });
      return;
    }
    // Service accounts are an alternative spelling of namespaces and principals, not a filter on them.
    if ((set(src.principals) || set(src.notPrincipals) || set(src.namespaces) || set(src.notNamespaces)) && (set(src.serviceAccounts) || set(src.notServiceAccounts))) {
      out.push({ code: Code.mutuallyExclusive, message: `cannot set serviceAccounts with namespaces or principals, ${at}`, path: ["from", i, "source"] });
    }
    if (isEmptySource(src)) out.push({ code: Code.emptyValue, message: `\`from.source\` must not be empty, ${at}`, path: ["from", i, "source"] });
  });
  if (rule.to !== undefined && rule.to.length === 0) {
    out.push({ code: Code.emptyValue, message: `\`to\` must not be empty, ${at}`, path: ["to"] });
  }
  rule.to?.forEach((to, i) => {
    const op = to.operation;
    if (!op) {
      out.push({ code: Code.requiredField, message: `\`to.operation\` must not be nil, ${at}`, path: ["to", i] });
    } else if (!Object.values(op).some((v) => Array.isArray(v) && v.length > 0)) {
      out.push({ code: Code.emptyValue, message: `\`to.operation\` must not be empty, ${at}`, path: ["to", i, "operation"] });
    }
  });
  return out;
}

/**
 * CUSTOM policies hand the request to an external authorizer before Istio knows the peer
 * or JWT identity, so rules of a CUSTOM policy may not test identities.
 */
export function customActionFindings(rule: AuthorizationRule): RuleFinding[] {
  const out: RuleFinding[] = [];
  const unsupported = (name: string, path: (string | number)[]) =>
    out.push({ code: Code.invalidValue, message: `${name} is currently not supported with CUSTOM action`, path });
  rule.from?.forEach((from, i) => {
    const src = from.source;
    if (!src) return;
    for (const field of ["namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts", "principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals"] as const) {
      if (set(src[field])) unsupported(`From.${capitalize(field)}`, ["from", i, "source", field]);
    }
  });
  rule.when?.forEach((cond, i) => {
    const k = cond.key;
    if (k === "source.namespace" || k === "source.serviceAccount" || k === "source.principal" || k.startsWith("request.auth.")) {
      unsupported(k, ["when", i, "key"]);
    }
  });
  return out;
}
