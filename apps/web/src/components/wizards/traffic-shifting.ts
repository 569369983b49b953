import {
  destinationHost,
  hostFqdn,
  serviceFqdn,
  virtualServiceToEdit,
  withDefaultRoute,
  withSubsets,
  type Body,
  type RouteDestination,
  type ServiceConfig,
  type VirtualServiceBody,
} from "./service-config.ts";
import { evenSplit, percentagesOf, type WeightRow } from "./weights.ts";

/**
 * The traffic-shifting wizard: one weight per subset on the service's default route.
 * Rows are the DestinationRule's subsets, else the versions the workloads run (their
 * subsets are then added to the DestinationRule), plus any subset the route names.
 */
export function trafficShiftingRows(cfg: ServiceConfig): WeightRow[] {
  const names = new Set<string>();
  for (const s of cfg.destinationRule?.spec.subsets ?? []) names.add(s.name);
  if (names.size === 0) for (const v of cfg.versions) names.add(v);
  const current = currentSplit(cfg);
  for (const d of current) if (d.subset) names.add(d.subset);
  const percentages = percentagesOf(current.map((d) => d.weight));
  const weightOf = new Map<string, number>();
  current.forEach((d, i) => weightOf.set(d.subset ?? "", (weightOf.get(d.subset ?? "") ?? 0) + percentages[i]!));
  const rows = [...names].map((subset) => ({ subset, weight: weightOf.get(subset) ?? 0, locked: false }));
  // A route to the whole service (no subset) spreads requests over every version's endpoints.
  return rows.every((r) => r.weight === 0) ? evenSplit(rows) : rows;
}

/** The service's destinations on its default route, with their raw weights. */
function currentSplit(cfg: ServiceConfig): { subset?: string; weight?: number }[] {
  const http = cfg.virtualService?.spec.http ?? [];
  const route = http.findLast((r) => !r.match || r.match.length === 0);
  const fqdn = serviceFqdn(cfg.target);
  return (route?.route ?? [])
    .filter((d) => d.destination && hostFqdn(d.destination.host, cfg.target.namespace) === fqdn)
    .map((d) => ({ ...(d.destination?.subset ? { subset: d.destination.subset } : {}), ...(d.weight !== undefined ? { weight: d.weight } : {}) }));
}

/**
 * The VirtualService (and the DestinationRule when subsets are missing from it) that
 * split the default route by `rows`. Rows at 0 are left out of the route; everything else
 * on the route (retries, timeout, fault, other destinations' ports) and every other route
 * stay as they are.
 */
export function trafficShiftingResources(cfg: ServiceConfig, rows: readonly WeightRow[]): Body<unknown>[] {
  const out: Body<unknown>[] = [];
  const dr = withSubsets(cfg, rows.map((r) => r.subset));
  if (dr) out.push(dr);
  const vs = virtualServiceToEdit(cfg);
  const { http, index } = withDefaultRoute(cfg, vs);
  const route = http[index]!;
  const host = destinationHost(cfg);
  const previous = route.route ?? [];
  const destinations: RouteDestination[] = rows
    .filter((r) => r.weight > 0)
    .map((r) => {
      const before = previous.find((d) => d.destination?.subset === r.subset && hostFqdn(d.destination.host, cfg.target.namespace) === serviceFqdn(cfg.target));
      const port = before?.destination?.port ?? previous[0]?.destination?.port;
      return { ...before, destination: { ...before?.destination, host: before?.destination?.host ?? host, subset: r.subset, ...(port ? { port } : {}) }, weight: r.weight };
    });
  http[index] = { ...route, route: destinations };
  vs.spec = { ...vs.spec, http };
  out.push(vs satisfies VirtualServiceBody);
  return out;
}
