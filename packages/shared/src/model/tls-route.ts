import * as z from "zod";
import { Code } from "./codes.ts";
import { labels, obj, report, uint32 } from "./common.ts";
import { routeDestinations } from "./destination.ts";
import { gatewayNames } from "./gateway-names.ts";
import { checkPort } from "./http-match.ts";
import { checkSubnets } from "./tcp-route.ts";

/**
 * Istio's TLSMatchAttributes: conditions on an unterminated TLS connection, chiefly its
 * SNI. The SNI hosts are checked against the VirtualService's hosts and gateways in
 * virtual-service.ts, which sees both.
 */
export const tlsMatchAttributes = obj({
  sniHosts: z.array(z.string()).optional(),
  destinationSubnets: z.array(z.string()).optional(),
  port: uint32.optional(),
  sourceLabels: labels.optional(),
  gateways: gatewayNames.optional(),
  sourceNamespace: z.string().optional(),
}).superRefine((m, ctx) => {
  if ((m.sniHosts ?? []).length === 0) report(ctx, Code.requiredField, "TLS match must have at least one SNI host", ["sniHosts"]);
  checkSubnets(m.destinationSubnets, ctx);
  if (m.port !== undefined && m.port !== 0) checkPort(m.port, ctx);
});

export type TLSMatchAttributes = z.infer<typeof tlsMatchAttributes>;

/** Istio's TLSRoute: TLS passthrough traffic routed by SNI to weighted destinations. */
export const tlsRoute = obj({
  match: z.array(tlsMatchAttributes).optional(),
  route: routeDestinations.optional(),
}).superRefine((r, ctx) => {
  if ((r.match ?? []).length === 0) report(ctx, Code.requiredField, "TLS route must have at least one match condition", ["match"]);
  if ((r.route ?? []).length === 0) report(ctx, Code.requiredField, "TLS route is required", ["route"]);
});

export type TLSRoute = z.infer<typeof tlsRoute>;
