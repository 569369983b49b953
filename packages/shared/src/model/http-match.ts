import * as z from "zod";
import { Code } from "./codes.ts";
import { isDns1123Label, labels, obj, portNumber, report, uint32 } from "./common.ts";
import { gatewayNames } from "./gateway-names.ts";
import { reportStringMatch, stringMatch, stringMatchIssue, stringMatchRegexIssue } from "./string-match.ts";

/** The pseudo-header prefix Istio uses to route on a validated JWT's claims. */
const JWT_CLAIM_PREFIX = "@request.auth.claims";

/**
 * Istio's jwt.ToRoutingClaim(...).Match: `@request.auth.claims.a.b` or
 * `@request.auth.claims[a][b]`. Such keys are not HTTP headers; Envoy reads them from the
 * JWT filter's metadata, which only gateways populate for routing.
 */
export function isJwtClaimRoute(name: string): boolean {
  if (!name.toLowerCase().startsWith(JWT_CLAIM_PREFIX)) return false;
  const rest = name.slice(JWT_CLAIM_PREFIX.length);
  return (rest.startsWith(".") && rest.length > 1) || (rest.startsWith("[") && rest.endsWith("]") && rest.length > 2);
}

// RFC 7230 tchar.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const PSEUDO_HEADERS = new Set([":method", ":scheme", ":authority", ":path", ":status"]);

/** Istio's ValidateHTTPHeaderNameOrJwtClaimRoute. */
export function matchHeaderNameError(name: string): string | undefined {
  if (name === "") return "header name cannot be empty";
  if (isJwtClaimRoute(name) || PSEUDO_HEADERS.has(name)) return undefined;
  if (!HEADER_NAME.test(name)) return `header name ${name} is not a valid header name`;
  return undefined;
}

const stringMatches = z.record(z.string(), stringMatch);

/**
 * Istio's HTTPMatchRequest. All conditions in one match must hold; the route's list of
 * matches is an OR.
 */
export const httpMatchRequest = obj({
  name: z.string().optional(),
  uri: stringMatch.optional(),
  scheme: stringMatch.optional(),
  method: stringMatch.optional(),
  authority: stringMatch.optional(),
  headers: stringMatches.optional(),
  port: uint32.optional(),
  sourceLabels: labels.optional(),
  gateways: gatewayNames.optional(),
  queryParams: stringMatches.optional(),
  ignoreUriCase: z.boolean().optional(),
  withoutHeaders: stringMatches.optional(),
  sourceNamespace: z.string().optional(),
  statPrefix: z.string().optional(),
}).superRefine((m, ctx) => {
  for (const [name, sm] of Object.entries(m.headers ?? {})) {
    const err = matchHeaderNameError(name);
    if (err) report(ctx, Code.invalidHeader, err, ["headers", name]);
    reportStringMatch(ctx, stringMatchIssue(sm, "headers"), ["headers", name]);
  }
  for (const [name, sm] of Object.entries(m.withoutHeaders ?? {})) {
    const err = matchHeaderNameError(name);
    if (err) report(ctx, Code.invalidHeader, err, ["withoutHeaders", name]);
    // `regex: "*"` is not RE2: Istio translates it to a presence match.
    if (sm.regex !== "*") reportStringMatch(ctx, stringMatchIssue(sm, "withoutHeaders"), ["withoutHeaders", name]);
  }
  // Envoy accepts an empty URI prefix (it matches every path), but not for the others.
  reportStringMatch(ctx, stringMatchRegexIssue(m.uri, "uri"), ["uri"]);
  for (const field of ["scheme", "method", "authority"] as const) reportStringMatch(ctx, stringMatchIssue(m[field], field), [field]);
  for (const [name, sm] of Object.entries(m.queryParams ?? {})) {
    reportStringMatch(ctx, stringMatchIssue(sm, "queryParams"), ["queryParams", name]);
  }
  if (m.port !== undefined && m.port !== 0) checkPort(m.port, ctx);
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== "" && !isDns1123Label(m.sourceNamespace)) {
    report(ctx, Code.invalidName, `sourceNamespace match ${m.sourceNamespace} is invalid`, ["sourceNamespace"]);
  }
});

export type HTTPMatchRequest = z.infer<typeof httpMatchRequest>;

/** Ports in match attributes are uint32 where 0 means "any"; anything else must be a real port. */
export function checkPort(port: number, ctx: z.RefinementCtx): void {
  const parsed = portNumber.safeParse(port);
  if (!parsed.success) report(ctx, Code.invalidPort, parsed.error.issues[0]!.message, ["port"]);
}
