import { destinationHost, hostFqdn, serviceFqdn, virtualServiceToEdit, withDefaultRoute, withSubsets, type Body, type HttpRoute, type ServiceConfig } from "./service-config.ts";

/**
 * The header-based routing wizard (canary users): requests whose header matches go to
 * one subset, the rest follow the default route.
 */
export type HeaderMatchType = "exact" | "prefix" | "regex";
export const HEADER_MATCH_TYPES: readonly HeaderMatchType[] = ["exact", "prefix", "regex"];

/** The default route's destinations stay as they are (a weighted split, say). */
export const KEEP_DEFAULT = "";

export interface RequestRoutingForm {
  header: string;
  matchType: HeaderMatchType;
  value: string;
  subset: string;
  /** Subset for everyone else, or KEEP_DEFAULT. */
  defaultSubset: string;
}

function headerRouteIndex(http: readonly HttpRoute[], header?: string): number {
  return http.findIndex((r) => (r.match ?? []).some((m) => m.headers && (header === undefined ? Object.keys(m.headers).length > 0 : header.toLowerCase() in m.headers)));
}

/** The form prefilled from the first route that matches on a header, else a canary for the "end-user" header. */
export function requestRoutingStart(cfg: ServiceConfig, subsets: readonly string[]): RequestRoutingForm {
  const http = cfg.virtualService?.spec.http ?? [];
  const route = http[headerRouteIndex(http)];
  const headers = route?.match?.find((m) => m.headers)?.headers ?? {};
  const [header, match] = Object.entries(headers)[0] ?? [];
  const matchType = HEADER_MATCH_TYPES.find((t) => match && (match as Record<string, unknown>)[t] !== undefined) ?? "exact";
  const value = match ? String((match as Record<string, unknown>)[matchType] ?? "") : "";
  const subset = route?.route?.[0]?.destination?.subset ?? subsets[subsets.length - 1] ?? "";
  return { header: header ?? "end-user", matchType, value, subset, defaultSubset: http.length > 0 ? KEEP_DEFAULT : (subsets[0] ?? KEEP_DEFAULT) };
}

/** Problems with the form that would make it write a route nobody meant; empty when it can be applied. */
export function requestRoutingErrors(form: RequestRoutingForm): string[] {
  const errors: string[] = [];
  if (!form.header.trim()) errors.push("Enter the header to match, e.g. end-user.");
  if (!form.value) errors.push("Enter the header value the canary users send.");
  if (!form.subset) errors.push("Pick the subset the canary users go to.");
  return errors;
}

/**
 * The VirtualService with a route for the header placed before the default route (or
 * replacing the route that already matched that header, keeping its other settings), and
 * the default route sent to `defaultSubset` unless it is kept. Subsets the
 * DestinationRule lacks are added to it (selecting `version: <name>`).
 */
export function requestRoutingResources(cfg: ServiceConfig, form: RequestRoutingForm): Body<unknown>[] {
  const vs = virtualServiceToEdit(cfg);
  const { http, index } = withDefaultRoute(cfg, vs);
  const host = destinationHost(cfg);
  const header = form.header.trim().toLowerCase();
  const match = [{ headers: { [header]: { [form.matchType]: form.value } } }];
  const existing = headerRouteIndex(http, header);
  const canary: HttpRoute = { ...(existing >= 0 ? http[existing] : {}), match, route: [{ destination: { host, subset: form.subset } }] } as HttpRoute;
  let defaultIndex = index;
  if (existing >= 0) {
    http[existing] = canary;
  } else {
    http.splice(index, 0, canary);
    defaultIndex = index + 1;
  }
  if (form.defaultSubset !== KEEP_DEFAULT) {
    const route = http[defaultIndex]!;
    const port = route.route?.find((d) => d.destination && hostFqdn(d.destination.host, cfg.target.namespace) === serviceFqdn(cfg.target))?.destination?.port;
    http[defaultIndex] = { ...route, route: [{ destination: { host, subset: form.defaultSubset, ...(port ? { port } : {}) } }] };
  }
  vs.spec = { ...vs.spec, http };
  const dr = withSubsets(cfg, [form.subset, form.defaultSubset]);
  return dr ? [dr, vs] : [vs];
}
