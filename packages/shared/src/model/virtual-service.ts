import * as z from "zod";
import { Code } from "./codes.ts";
import { isDns1123Label, isIp, obj, report } from "./common.ts";
import { gatewayNames, MESH_GATEWAY } from "./gateway-names.ts";
import { gatewayHostError, hostMatches, hostSubsetOf, wildcardHostError } from "./host-name.ts";
import { httpRoute, type HTTPRoute } from "./http-route.ts";
import { isJwtClaimRoute } from "./http-match.ts";
import { tcpRoute } from "./tcp-route.ts";
import { tlsRoute, type TLSRoute } from "./tls-route.ts";
import { istioResource } from "./resource.ts";

/**
 * Istio's VirtualService (networking.istio.io v1, v1beta1 and v1alpha3 share it): the
 * routing rules for traffic addressed to `hosts`, applied by the sidecars (`mesh`) and/or
 * the gateways named in `gateways`. A VirtualService without hosts is a delegate, whose
 * HTTP routes are merged into a root VirtualService's delegating route.
 */
export const virtualServiceSpec = obj({
  hosts: z.array(z.string()).optional(),
  gateways: gatewayNames.optional(),
  http: z.array(httpRoute).optional(),
  tls: z.array(tlsRoute).optional(),
  tcp: z.array(tcpRoute).optional(),
  exportTo: z.array(z.string()).optional(),
}).superRefine((vs, ctx) => {
  const hosts = vs.hosts ?? [];
  const gateways = vs.gateways ?? [];
  if (hosts.length === 0) checkDelegate(vs, ctx);
  // Bound to gateways only when gateways are named and `mesh` is not among them.
  const appliesToGateway = gateways.length > 0 && !gateways.includes(MESH_GATEWAY);
  if (!appliesToGateway) checkJwtClaimRoutes(vs.http ?? [], gateways, ctx);
  checkHosts(hosts, appliesToGateway, hasSniMatch(vs.tls ?? []), ctx);
  if ((vs.http ?? []).length === 0 && (vs.tcp ?? []).length === 0 && (vs.tls ?? []).length === 0) {
    report(ctx, Code.requiredField, "http, tcp or tls must be provided in virtual service");
  }
  checkSniHosts(vs.tls ?? [], hosts, appliesToGateway, ctx);
  checkExportTo(vs.exportTo ?? [], ctx);
});

export type VirtualServiceSpec = z.infer<typeof virtualServiceSpec>;

export const virtualService = istioResource(virtualServiceSpec);

function checkDelegate(vs: VirtualServiceSpec, ctx: z.RefinementCtx): void {
  // A delegate is only reached through its root, so these would never apply.
  if ((vs.gateways ?? []).length > 0) report(ctx, Code.invalidValue, "delegate virtual service must have no gateways specified", ["gateways"]);
  if ((vs.tls ?? []).length > 0) report(ctx, Code.invalidValue, "delegate virtual service must have no tls route specified", ["tls"]);
  if ((vs.tcp ?? []).length > 0) report(ctx, Code.invalidValue, "delegate virtual service must have no tcp route specified", ["tcp"]);
  // Only one level of delegation is supported.
  (vs.http ?? []).forEach((r, i) => {
    if (r.delegate !== undefined) report(ctx, Code.invalidValue, "delegate HTTP route cannot contain delegate", ["http", i, "delegate"]);
  });
}

/** JWT claims are only available for routing where a gateway validated the token. */
function checkJwtClaimRoutes(routes: readonly HTTPRoute[], gateways: readonly string[], ctx: z.RefinementCtx): void {
  routes.forEach((r, i) => {
    (r.match ?? []).forEach((m, j) => {
      for (const field of ["headers", "withoutHeaders"] as const) {
        for (const key of Object.keys(m[field] ?? {})) {
          if (!isJwtClaimRoute(key)) continue;
          report(
            ctx,
            Code.invalidHeader,
            `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways: [${gateways.join(" ")}]`,
            ["http", i, "match", j, field, key],
          );
        }
      }
    });
  });
}

function hasSniMatch(routes: readonly TLSRoute[]): boolean {
  return routes.some((r) => (r.match ?? []).some((m) => (m.sniHosts ?? []).length > 0));
}

function checkHosts(hosts: readonly string[], appliesToGateway: boolean, sni: boolean, ctx: z.RefinementCtx): void {
  let allValid = true;
  hosts.forEach((host, i) => {
    const err = appliesToGateway ? gatewayHostError(host, sni) : wildcardHostError(host);
    if (err) {
      // IP addresses are allowed as hosts (for services reached through a gateway).
      if (!isIp(host)) {
        report(ctx, Code.invalidHost, err, ["hosts", i]);
        allValid = false;
      }
    } else if (!appliesToGateway && host === "*") {
      report(ctx, Code.invalidHost, "wildcard host * is not allowed for virtual services bound to the mesh gateway", ["hosts", i]);
      allValid = false;
    }
  });
  if (!allValid) return;
  // Literal and wildcard overlaps alike: *.foo.com and *.com both claim a.foo.com.
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      if (hostMatches(hosts[i]!, hosts[j]!)) {
        report(ctx, Code.duplicateValue, `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`, ["hosts", j]);
      }
    }
  }
}

/** Istio's validateSniHost: each SNI host is a valid name that falls within one of the hosts. */
function checkSniHosts(routes: readonly TLSRoute[], hosts: readonly string[], appliesToGateway: boolean, ctx: z.RefinementCtx): void {
  routes.forEach((r, i) => {
    (r.match ?? []).forEach((m, j) => {
      (m.sniHosts ?? []).forEach((sni, k) => {
        const path = ["tls", i, "match", j, "sniHosts", k];
        const err = appliesToGateway ? gatewayHostError(sni, true) : wildcardHostError(sni);
        if (err) {
          // Istio only warns about an IP as SNI (clients rarely send one); nothing to check further.
          if (!isIp(sni)) report(ctx, Code.invalidHost, err, path);
          return;
        }
        if (!hosts.some((h) => hostSubsetOf(sni, h))) {
          report(ctx, Code.invalidHost, `SNI host "${sni}" is not a compatible subset of any of the virtual service hosts: [${hosts.join(", ")}]`, path);
        }
      });
    });
  });
}

/**
 * Istio's validateExportTo: "." (this namespace), "*" (all), or namespace names, without
 * duplicates and with "*" alone. "~" (nowhere) is for ServiceEntries only.
 */
function checkExportTo(exportTo: readonly string[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  exportTo.forEach((e, i) => {
    const path = ["exportTo", i];
    if (seen.has(e)) {
      report(ctx, Code.duplicateValue, `duplicate entries in exportTo for entry ${e}`, path);
      return;
    }
    if (e === "~") {
      report(ctx, Code.invalidValue, "exportTo ~ (none) is not allowed for Istio configuration objects", path);
      return;
    }
    if (e !== "." && e !== "*" && !isDns1123Label(e)) {
      report(ctx, Code.invalidValue, "only .,*, or a valid DNS 1123 label is allowed as exportTo entry", path);
      return;
    }
    seen.add(e);
  });
  if (seen.has("*") && exportTo.length > 1) {
    report(ctx, Code.invalidValue, "cannot have both public (*) and non-public exportTo values for a resource", ["exportTo"]);
  }
}
