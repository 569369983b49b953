import * as z from "zod";
import { isIp } from "./common.ts";

/**
 * Value checks shared by AuthorizationPolicy sources, operations and conditions, after
 * Istio's pkg/config/security. Each returns Istio's message, or undefined when valid.
 */

export function emptyValueError(field: string, values: readonly string[] | undefined): string | undefined {
  return values?.some((v) => v === "") ? `empty value not allowed, found in ${field}` : undefined;
}

function isCidr(s: string): boolean {
  return z.cidrv4().safeParse(s).success || z.cidrv6().safeParse(s).success;
}

/** Istio's ValidateIPs: each value an address, or a CIDR range when it has a `/`. */
export function ipErrors(values: readonly string[] | undefined): string[] {
  const errors: string[] = [];
  for (const v of values ?? []) {
    if (v.includes("/")) {
      if (!isCidr(v)) errors.push(`bad CIDR range (${v})`);
    } else if (!isIp(v)) {
      errors.push(`bad IP address (${v})`);
    }
  }
  return errors;
}

/** Istio's ValidatePorts: decimal numbers up to 65535. */
export function portErrors(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .filter((p) => !/^\d+$/.test(p) || Number(p) > 65535)
    .map((p) => `bad port (${p}): must be a number in the range 0..65535`);
}

/** Istio's CheckServiceAccount: `name` or `namespace/name`, no wildcards, at most 16 values. */
export function serviceAccountError(field: string, values: readonly string[] | undefined): string | undefined {
  if (!values) return undefined;
  if (values.length > 16) return `may not have more than 16 values, found ${values.length} in ${field}`;
  for (const value of values) {
    if (value === "") return `empty value not allowed, found in ${field}`;
    if (value.includes("*")) return `wildcard not allowed, found in ${field}`;
    const format = "expected format 'serviceAccount' or 'namespace/serviceAccount'";
    const parts = value.split("/");
    if (parts.length > 2) return `${format}, found "${value}" in ${field}`;
    if (value.length > 320) return `value cannot exceed 320 characters, found "${value}" in ${field}`;
    if (parts.length === 2 && parts[0] === "") return `${format}, found empty namespace "${value}" in ${field}`;
    if (parts[parts.length - 1] === "") return `${format}, found empty serviceAccount "${value}" in ${field}`;
  }
  return undefined;
}

const MATCH_ONE = "{*}";
const MATCH_ANY = "{**}";
// RFC 3986 pchar, which Envoy's URI template matcher requires of literal segments.
const VALID_LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/** Istio's CheckValidPathTemplate: `{*}` and `{**}` segments only, `{**}` last. */
export function pathTemplateError(field: string, paths: readonly string[] | undefined): string | undefined {
  for (const original of paths ?? []) {
    const isTemplate = original.includes(MATCH_ONE) || original.includes(MATCH_ANY);
    const path = original.replace(/^\/+|\/+$/g, "");
    let sawMatchAny = false;
    for (const glob of path.split("/")) {
      if ((glob === MATCH_ONE || glob === MATCH_ANY) && sawMatchAny) {
        return `invalid or unsupported path ${path}, found in ${field}. {**} is not the last operator`;
      }
      if (glob === MATCH_ONE) continue;
      if (glob === MATCH_ANY) {
        sawMatchAny = true;
        continue;
      }
      if (/[{}]/.test(glob)) {
        return `invalid or unsupported path ${path}, found in ${field}. Contains '{' or '}' beyond a supported path template`;
      }
      if (isTemplate && !VALID_LITERAL.test(glob)) {
        return `invalid or unsupported path ${path}, found in ${field}. Contains segment ${glob} with invalid string literal`;
      }
    }
  }
  return undefined;
}

/** `a[b]` keys (headers, claims, experimental filter metadata) need a non-empty name in brackets. */
function mapKeyError(key: string): string | undefined {
  const open = key.indexOf("[");
  return key.endsWith("]") && open > 0 && open < key.length - 2 ? undefined : `bad key (${key}): should have format a[b]`;
}

/**
 * The attributes a `when` condition may test, as Istio's ValidateAttribute knows them;
 * each entry checks the values given for it.
 */
const EXACT_ATTRIBUTES: Record<string, (key: string, values: readonly string[]) => string | undefined> = {
  "source.ip": (_k, v) => ipErrors(v)[0],
  "remote.ip": (_k, v) => ipErrors(v)[0],
  "destination.ip": (_k, v) => ipErrors(v)[0],
  "destination.port": (_k, v) => portErrors(v)[0],
  "source.serviceAccount": (k, v) => serviceAccountError(k, v),
  "source.namespace": () => undefined,
  "source.principal": () => undefined,
  "request.auth.principal": () => undefined,
  "request.auth.audiences": () => undefined,
  "request.auth.presenter": () => undefined,
  "connection.sni": () => undefined,
  "destination.namespace": (k) => `attribute ${k} is replaced by the metadata.namespace`,
  "destination.name": (k) => `deprecated attribute ${k}: only supported in v1alpha1`,
  "destination.user": (k) => `deprecated attribute ${k}: only supported in v1alpha1`,
};

const PREFIX_ATTRIBUTES: readonly [string, (key: string) => string | undefined][] = [
  ["request.headers", mapKeyError],
  ["request.experimental.inline.headers", mapKeyError],
  ["request.auth.claims", mapKeyError],
  ["experimental.envoy.filters.", mapKeyError],
  ["destination.labels", (k) => `attribute ${k} is replaced by the workload selector`],
];

export const CONDITION_KEYS = [...Object.keys(EXACT_ATTRIBUTES), ...PREFIX_ATTRIBUTES.map(([p]) => p)];

/** Istio's ValidateAttribute: is `key` a known attribute, and are `values` right for it? */
export function attributeError(key: string, values: readonly string[]): string | undefined {
  const empty = emptyValueError(key, values);
  if (empty) return empty;
  const prefixed = PREFIX_ATTRIBUTES.find(([prefix]) => key.startsWith(prefix));
  if (prefixed) return prefixed[1](key);
  const exact = EXACT_ATTRIBUTES[key];
  return exact ? exact(key, values) : `unknown attribute: ${key}`;
}
