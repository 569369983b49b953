import * as z from "zod";
import { Code } from "./codes.ts";
import { int32, isDns1123Label, obj, portSelector, report } from "./common.ts";
import { headers } from "./headers.ts";
import { wildcardHostError } from "./host-name.ts";

/**
 * Istio's Destination: a service from the registry (a short name, FQDN or wildcard FQDN),
 * optionally one subset of it and one port.
 */
export const destination = obj({
  host: z.string(),
  subset: z.string().optional(),
  port: portSelector.optional(),
}).superRefine((d, ctx) => {
  if (d.host === "*") {
    report(ctx, Code.invalidHost, `invalid destination host ${d.host}`, ["host"]);
  } else {
    const err = wildcardHostError(d.host);
    if (err) report(ctx, Code.invalidHost, err, ["host"]);
  }
  // Istio checks the subset only when set; an empty string means "no subset".
  if (d.subset !== undefined && d.subset !== "" && !isDns1123Label(d.subset)) {
    report(ctx, Code.invalidName, `subset name is invalid: ${d.subset}`, ["subset"]);
  }
  // An empty port selector is port 0 to Istio, which ValidatePort rejects.
  if (d.port !== undefined && d.port.number === undefined) {
    report(ctx, Code.invalidPort, "port number 0 must be in the range 1..65535", ["port"]);
  }
});

export type Destination = z.infer<typeof destination>;

/**
 * `destination` is required, but is optional in the schema so that its absence is
 * reported with Istio's "destination is required" rather than a generic message.
 */
function requireDestination(d: { destination?: Destination | undefined }, ctx: z.RefinementCtx): void {
  if (d.destination === undefined) report(ctx, Code.requiredField, "destination is required", ["destination"]);
}

function checkWeight(d: { weight?: number | undefined }, ctx: z.RefinementCtx): void {
  if (d.weight !== undefined && d.weight < 0) report(ctx, Code.invalidWeight, `weight ${d.weight} < 0`, ["weight"]);
}

/**
 * Istio's HTTPRouteDestination. Weights are relative: Envoy normalises them, so they
 * need not add up to 100 (Istio accepts 550 + 500).
 */
export const httpRouteDestination = obj({
  destination: destination.optional(),
  weight: int32.optional(),
  headers: headers.optional(),
}).superRefine((d, ctx) => {
  requireDestination(d, ctx);
  checkWeight(d, ctx);
});

export type HTTPRouteDestination = z.infer<typeof httpRouteDestination>;

/** Istio's RouteDestination, the weighted destination of TCP and TLS routes. */
export const routeDestination = obj({
  destination: destination.optional(),
  weight: int32.optional(),
}).superRefine((d, ctx) => {
  requireDestination(d, ctx);
  checkWeight(d, ctx);
});

export type RouteDestination = z.infer<typeof routeDestination>;

/** With several destinations, weights summing to zero would send traffic nowhere. */
function checkTotalWeight(list: readonly { weight?: number | undefined }[], ctx: z.RefinementCtx): void {
  if (list.length > 1 && list.reduce((sum, d) => sum + (d.weight ?? 0), 0) === 0) {
    report(ctx, Code.invalidWeight, "total destination weight = 0");
  }
}

export const httpRouteDestinations = z.array(httpRouteDestination).superRefine(checkTotalWeight);
export const routeDestinations = z.array(routeDestination).superRefine(checkTotalWeight);
