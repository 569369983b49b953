import * as z from "zod";
import { Code } from "./codes.ts";
import { duration, obj, report, uint32 } from "./common.ts";
import { corsPolicy } from "./cors-policy.ts";
import { destination, httpRouteDestinations } from "./destination.ts";
import { headers, isAuthorityHeader, type Headers } from "./headers.ts";
import { httpDirectResponse } from "./http-direct-response.ts";
import { httpFaultInjection } from "./http-fault.ts";
import { httpMatchRequest, type HTTPMatchRequest } from "./http-match.ts";
import { httpRedirect } from "./http-redirect.ts";
import { httpRetry } from "./http-retry.ts";
import { httpRewrite, type HTTPRewrite } from "./http-rewrite.ts";

import { matchKind } from "./string-match.ts";

/** Go's %f, which Istio's mirror messages use. */
const goFloat = (n: number): string => n.toFixed(6);

/**
 * A mirror share. Unlike fault percentages, Istio accepts any value in [0, 100] here
 * and words the error in terms of the proto field.
 */
function mirrorShare(label: string) {
  return obj({ value: z.number().optional() }).superRefine((p, ctx) => {
    const value = p.value ?? 0;
    if (value > 100) report(ctx, Code.invalidPercentage, `${label} must have a max value of 100 (it has ${goFloat(value)})`, ["value"]);
    if (value < 0) report(ctx, Code.invalidPercentage, `${label} must have a min value of 0 (it has ${goFloat(value)})`, ["value"]);
  });
}

/** Istio's HTTPMirrorPolicy: one of several mirror targets, each with its own share. */
export const httpMirrorPolicy = obj({
  destination: destination.optional(),
  percentage: mirrorShare("mirror percentage").optional(),
}).superRefine((m, ctx) => {
  if (m.destination === undefined) report(ctx, Code.requiredField, "destination is required for mirrors", ["destination"]);
});

/** Istio's Delegate: hand the matched requests to the routes of another (hostless) VirtualService. */
export const delegate = obj({
  name: z.string().optional(),
  namespace: z.string().optional(),
});

const deprecatedMirrorPercent = uint32.superRefine((n, ctx) => {
  if (n > 100) report(ctx, Code.invalidPercentage, `mirror_percent must have a max value of 100 (it has ${n})`);
});

/**
 * Istio's HTTPRoute. Its action is exactly one of route (forward), redirect,
 * directResponse or delegate; the rest modifies how the action is carried out.
 */
export const httpRoute = obj({
  name: z.string().optional(),
  match: z.array(httpMatchRequest).optional(),
  route: httpRouteDestinations.optional(),
  redirect: httpRedirect.optional(),
  directResponse: httpDirectResponse.optional(),
  delegate: delegate.optional(),
  rewrite: httpRewrite.optional(),
  timeout: duration.optional(),
  retries: httpRetry.optional(),
  fault: httpFaultInjection.optional(),
  mirror: destination.optional(),
  mirrors: z.array(httpMirrorPolicy).optional(),
  mirrorPercent: deprecatedMirrorPercent.optional(),
  // The generated CRD also lists the proto name of the deprecated field.
  mirror_percent: deprecatedMirrorPercent.optional(),
  mirrorPercentage: mirrorShare("mirror_percentage").optional(),
  corsPolicy: corsPolicy.optional(),
  headers: headers.optional(),
}).superRefine((r, ctx) => {
  checkAction(r, ctx);
  if (r.mirror !== undefined && (r.mirrors ?? []).length > 0) {
    report(ctx, Code.mutuallyExclusive, "HTTP route cannot contain both mirror and mirrors", ["mirrors"]);
  }
  checkAuthority(r.rewrite, r.headers, ctx);
  if (r.redirect?.prefixRewrite) checkPrefixRewriteMatches(r.match ?? [], ctx);
});

export type HTTPRoute = z.infer<typeof httpRoute>;

/** Istio's validateHTTPRouteConflict: one action per route. */
function checkAction(r: HTTPRoute, ctx: z.RefinementCtx): void {
  const conflict = (message: string, field: string) => report(ctx, Code.mutuallyExclusive, message, [field]);
  const hasRoute = (r.route ?? []).length > 0;
  if (r.delegate !== undefined) {
    // A root route only points at its delegate; the delegate's routes do the rest.
    const label = r.name ?? "";
    if (r.redirect !== undefined) conflict(`root HTTP route ${label} must not specify redirect`, "redirect");
    if (r.route !== undefined) conflict(`root HTTP route ${label} must not specify route`, "route");
    return;
  }
  if (r.redirect !== undefined) {
    if (hasRoute) conflict("HTTP route cannot contain both route and redirect", "redirect");
    if (r.fault !== undefined) conflict("HTTP route cannot contain both fault and redirect", "fault");
    if (r.rewrite !== undefined) conflict("HTTP route rule cannot contain both rewrite and redirect", "rewrite");
    if (r.directResponse !== undefined) conflict("HTTP route rule cannot contain both direct_response and redirect", "directResponse");
  } else if (r.directResponse !== undefined) {
    if (hasRoute) conflict("HTTP route cannot contain both route and direct_response", "directResponse");
    if (r.fault !== undefined) conflict("HTTP route cannot contain both fault and direct_response", "fault");
    if (r.rewrite !== undefined) conflict("HTTP route rule cannot contain both rewrite and direct_response", "rewrite");
  } else if (!hasRoute) {
    report(ctx, Code.requiredField, "HTTP route, redirect or direct_response is required", ["route"]);
  }
}

/**
 * Istio's validateAuthorityRewrite: the authority may be rewritten in one place only,
 * either rewrite.authority or one authority/Host entry of the request headers.
 */
function checkAuthority(rewrite: HTTPRewrite | undefined, hdrs: Headers | undefined, ctx: z.RefinementCtx): void {
  let current = rewrite?.authority ?? "";
  for (const op of ["set", "add"] as const) {
    for (const [name, value] of Object.entries(hdrs?.request?.[op] ?? {})) {
      if (!isAuthorityHeader(name)) continue;
      if (current !== "") {
        report(
          ctx,
          Code.duplicateValue,
          `authority header cannot be set multiple times: have ${JSON.stringify(current)}, attempting to set ${JSON.stringify(value)}`,
          ["headers", "request", op, name],
        );
        return;
      }
      current = value;
    }
  }
}

/** Envoy's prefix_rewrite replaces the matched prefix, so every URI match must be a prefix match. */
function checkPrefixRewriteMatches(matches: readonly HTTPMatchRequest[], ctx: z.RefinementCtx): void {
  matches.forEach((m, i) => {
    if (m.uri !== undefined && matchKind(m.uri) !== "prefix") {
      report(ctx, Code.invalidValue, "redirect prefix_rewrite requires all URI matches to use prefix match type", ["match", i, "uri"]);
    }
  });
}
