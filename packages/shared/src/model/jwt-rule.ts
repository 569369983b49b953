import * as z from "zod";
import { Code } from "./codes.ts";
import { duration, obj, oneOf, report } from "./common.ts";

// Istio's validHeaderRegex: the header names Envoy accepts for generated headers.
const HEADER_NAME = /^[-_A-Za-z0-9]+$/;

/** JWTHeader: a request header that carries the token, with an optional prefix to strip. */
export const jwtHeader = obj({
  name: z.string(),
  prefix: z.string().optional(),
}).superRefine((h, ctx) => {
  if (h.name === "") report(ctx, Code.emptyValue, "location header name must be non-empty string", ["name"]);
});

/** ClaimToHeader: copies a verified claim into a request header for the backend. */
export const claimToHeader = obj({
  header: z.string(),
  claim: z.string(),
}).superRefine((c, ctx) => {
  if (c.claim === "") report(ctx, Code.emptyValue, "outputClaimToHeaders header and claim value must be non-empty string", ["claim"]);
  if (c.header === "") {
    report(ctx, Code.emptyValue, "outputClaimToHeaders header and claim value must be non-empty string", ["header"]);
  } else if (!HEADER_NAME.test(c.header)) {
    report(ctx, Code.invalidHeader, `header name ${c.header} is not a valid header name (letters, digits, "-" and "_")`, ["header"]);
  }
});

/**
 * Istio's ParseJwksURI: the key set is fetched over http or https. Returns the error, or
 * undefined when the URI is usable.
 */
export function jwksUriError(uri: string): string | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase() ?? "";
  if (scheme !== "http" && scheme !== "https") return `URI scheme "${scheme}" is not supported: jwksUri must be an http:// or https:// URL`;
  try {
    new URL(uri);
  } catch {
    return `jwksUri "${uri}" is not a valid URL`;
  }
  return undefined;
}

/** A JSON Web Key Set ({"keys": [...]}) or a single key, as Istio's jwk.Parse accepts. */
export function jwksError(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `jwks parse error: not JSON (${(e as Error).message})`;
  }
  const isKey = (k: unknown) => typeof k === "object" && k !== null && typeof (k as { kty?: unknown }).kty === "string";
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return "jwks parse error: expected a JSON object";
  if ("keys" in doc) {
    const keys = (doc as { keys: unknown }).keys;
    if (!Array.isArray(keys)) return `jwks parse error: "keys" must be a list`;
    const bad = keys.findIndex((k) => !isKey(k));
    return bad >= 0 ? `jwks parse error: keys[${bad}] has no "kty"` : undefined;
  }
  return isKey(doc) ? undefined : `jwks parse error: expected {"keys": [...]} or a key with "kty"`;
}

export const JWT_PRESENCE = ["OPTIONAL", "REQUIRED"] as const;

/**
 * Istio's JWTRule: how to find, verify and use one issuer's tokens. `jwks` takes
 * precedence over `jwksUri` when both are set (Istio ignores the URI, it does not reject it).
 */
export const jwtRule = obj({
  issuer: z.string().optional(),
  audiences: z.array(z.string()).optional(),
  jwksUri: z.string().optional(),
  jwks: z.string().optional(),
  fromHeaders: z.array(jwtHeader).optional(),
  fromParams: z.array(z.string()).optional(),
  fromCookies: z.array(z.string()).optional(),
  outputPayloadToHeader: z.string().optional(),
  forwardOriginalToken: z.boolean().optional(),
  outputClaimToHeaders: z.array(claimToHeader).optional(),
  spaceDelimitedClaims: z.array(z.string()).max(64, { error: "spaceDelimitedClaims may have at most 64 entries" }).optional(),
  timeout: duration.optional(),
  presence: oneOf(JWT_PRESENCE).optional(),
}).superRefine((rule, ctx) => {
  if (!rule.issuer && !rule.jwksUri) {
    report(ctx, Code.requiredField, "issuer or jwksUri must be non-empty string: a JWT rule needs the issuer it accepts", ["issuer"]);
  }
  const empties: [keyof typeof rule, string][] = [
    ["audiences", "audience must be non-empty string"],
    ["fromParams", "location query must be non-empty string"],
    ["fromCookies", "cookie name must be non-empty string"],
    ["spaceDelimitedClaims", "space delimited claim must be non-empty string"],
  ];
  for (const [field, message] of empties) {
    const list = rule[field] as string[] | undefined;
    list?.forEach((v, i) => {
      if (v === "") report(ctx, Code.emptyValue, message, [field, i]);
    });
  }
  if (rule.jwksUri) {
    const err = jwksUriError(rule.jwksUri);
    if (err) report(ctx, Code.invalidValue, err, ["jwksUri"]);
  }
  if (rule.jwks) {
    const err = jwksError(rule.jwks);
    if (err) report(ctx, Code.invalidValue, err, ["jwks"]);
  }
});

export type JwtRule = z.infer<typeof jwtRule>;
