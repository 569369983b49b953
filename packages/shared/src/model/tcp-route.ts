import * as z from "zod";
import { Code } from "./codes.ts";
import { isCidrOrIp, isIp, labels, obj, report, uint32 } from "./common.ts";
import { routeDestinations } from "./destination.ts";
import { gatewayNames } from "./gateway-names.ts";
import { checkPort } from "./http-match.ts";

/** Istio's ValidateIPSubnet: an IP address, or a CIDR block when there is one "/". */
export function subnetError(subnet: string): string | undefined {
  if (subnet.split("/").length === 2) return isCidrOrIp(subnet) ? undefined : `${subnet} is not a valid CIDR block`;
  return isIp(subnet) ? undefined : `${subnet} is not a valid IP`;
}

export function checkSubnets(subnets: readonly string[] | undefined, ctx: z.RefinementCtx): void {
  (subnets ?? []).forEach((s, i) => {
    const err = subnetError(s);
    if (err) report(ctx, Code.invalidAddress, err, ["destinationSubnets", i]);
  });
}

/** Istio's L4MatchAttributes: connection-level conditions of a TCP route. */
export const l4MatchAttributes = obj({
  destinationSubnets: z.array(z.string()).optional(),
  port: uint32.optional(),
  // Hidden from Istio's docs and not acted on; accepted because the CRD lists it.
  sourceSubnet: z.string().optional(),
  sourceLabels: labels.optional(),
  gateways: gatewayNames.optional(),
  sourceNamespace: z.string().optional(),
}).superRefine((m, ctx) => {
  checkSubnets(m.destinationSubnets, ctx);
  if (m.port !== undefined && m.port !== 0) checkPort(m.port, ctx);
});

export type L4MatchAttributes = z.infer<typeof l4MatchAttributes>;

/** Istio's TCPRoute: opaque TCP traffic forwarded to weighted destinations. */
export const tcpRoute = obj({
  match: z.array(l4MatchAttributes).optional(),
  route: routeDestinations.optional(),
}).superRefine((r, ctx) => {
  if ((r.route ?? []).length === 0) report(ctx, Code.requiredField, "TCP route is required", ["route"]);
});

export type TCPRoute = z.infer<typeof tcpRoute>;
