import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, report, uint32 } from "./common.ts";

/** Labels that name a locality level; zone-aware balancing and `failover` already order by them. */
const TOPOLOGY_LOCALITY_LABELS = ["topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone"];

const distribute = obj({
  from: z.string().optional(),
  to: z.record(z.string(), uint32).optional(),
});

/** A region-to-region failover rule; zones and sub-zones fail over implicitly. */
const failover = obj({
  from: z.string().optional(),
  to: z.string().optional(),
});

type Failover = z.infer<typeof failover>;

function reportFailover(ctx: z.RefinementCtx, rules: readonly Failover[], what: string): void {
  rules.forEach((f, i) => {
    const from = f.from ?? "";
    const to = f.to ?? "";
    if (from === to) report(ctx, Code.invalidValue, `${what} failover settings must specify different regions`, ["failover", i]);
    if (from.includes("/") || to.includes("/")) report(ctx, Code.invalidValue, `${what} failover only specify region`, ["failover", i]);
    if (from.includes("*") || to.includes("*")) report(ctx, Code.invalidValue, `${what} failover region should not contain '*' wildcard`, ["failover", i]);
  });
}

/**
 * Istio's validateLocalities: each locality is region[/zone[/subzone]] with at most one
 * trailing "*", and no locality may be covered by an earlier one. Returns the first error.
 */
export function localitiesError(localities: readonly string[]): string | undefined {
  // region -> zone -> subzones; "*" marks "everything below".
  const seen = new Map<string, Map<string, Set<string>>>();
  for (const locality of localities) {
    const stars = locality.split("*").length - 1;
    if (stars > 1 || (stars === 1 && !locality.endsWith("*"))) {
      return `locality ${locality} wildcard '*' number can not exceed 1 and must be in the end`;
    }
    if (seen.has("*")) return `locality ${locality} overlap with previous specified ones`;
    const parts = splitLocality(locality);
    if (!parts) return `locality ${locality} must not contain empty region/zone/subzone info`;
    const [region, zone, subZone] = parts;
    const overlap = `locality ${locality} overlap with previous specified ones`;
    const zones = seen.get(region);
    if (zone === undefined) {
      if (zones) return overlap;
      seen.set(region, new Map([["*", new Set(["*"])]]));
    } else if (subZone === undefined) {
      if (zones?.has("*") || zones?.has(zone)) return overlap;
      if (zones) zones.set(zone, new Set(["*"]));
      else seen.set(region, new Map([[zone, new Set(["*"])]]));
    } else {
      if (zones?.has("*")) return overlap;
      const subZones = zones?.get(zone);
      if (subZones?.has("*") || subZones?.has(subZone)) return overlap;
      if (subZones) subZones.add(subZone);
      else if (zones) zones.set(zone, new Set([subZone]));
      else seen.set(region, new Map([[zone, new Set([subZone])]]));
    }
  }
  return undefined;
}

function splitLocality(locality: string): [string, string?, string?] | undefined {
  const firstSlash = locality.indexOf("/");
  const secondSlash = firstSlash < 0 ? -1 : locality.indexOf("/", firstSlash + 1);
  const items =
    firstSlash < 0
      ? [locality]
      : secondSlash < 0
        ? [locality.slice(0, firstSlash), locality.slice(firstSlash + 1)]
        : [locality.slice(0, firstSlash), locality.slice(firstSlash + 1, secondSlash), locality.slice(secondSlash + 1)];
  if (items.some((item) => item === "")) return undefined;
  return items as [string, string?, string?];
}

/** Istio's `LocalityLoadBalancerSetting`, checked as ValidateLocalityLbSetting does. */
export const localityLoadBalancerSetting = obj({
  distribute: z.array(distribute).optional(),
  failover: z.array(failover).optional(),
  failoverPriority: z.array(z.string()).optional(),
  enabled: z.boolean().optional(),
}).superRefine((lb, ctx) => {
  const dist = lb.distribute ?? [];
  const fail = lb.failover ?? [];
  const priority = lb.failoverPriority ?? [];
  if (dist.length > 0 && fail.length > 0) {
    report(ctx, Code.mutuallyExclusive, "can not simultaneously specify 'distribute' and 'failover'", ["failover"]);
    return;
  }
  if (fail.length > 0) {
    priority.forEach((label, i) => {
      if (TOPOLOGY_LOCALITY_LABELS.includes(label)) {
        report(ctx, Code.mutuallyExclusive, `can not simultaneously set 'failover' and topology label '${label}' in 'failover_priority'`, ["failoverPriority", i]);
      }
    });
  }
  dist.forEach((d, i) => {
    const weights = Object.entries(d.to ?? {});
    const bad = weights.find(([, w]) => w <= 0 || w > 100);
    if (bad) {
      report(ctx, Code.invalidWeight, `locality weight must be in range [1, 100] (${bad[0]}: ${bad[1]})`, ["distribute", i, "to", bad[0]]);
      return;
    }
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    if (total !== 100) {
      report(ctx, Code.invalidWeight, `total locality weight ${total} != 100`, ["distribute", i, "to"]);
      return;
    }
    const err = localitiesError(weights.map(([loc]) => loc));
    if (err) report(ctx, Code.invalidValue, err, ["distribute", i, "to"]);
  });
  const err = localitiesError(dist.map((d) => d.from ?? ""));
  if (err) report(ctx, Code.invalidValue, err, ["distribute"]);
  reportFailover(ctx, fail, "locality lb");
});

/**
 * Istio's `ZoneAwareLoadBalancerSetting` (newer API): Envoy's zone-aware routing inside the
 * proxy's region, with regions as failover tiers. Region, zone and sub-zone are handled by
 * the algorithm itself, so `failoverPriority` must not name those labels.
 */
export const zoneAwareLoadBalancerSetting = obj({
  enabled: z.boolean().optional(),
  failover: z.array(failover).optional(),
  failoverPriority: z.array(z.string()).optional(),
  minClusterSize: uint32.optional(),
}).superRefine((lb, ctx) => {
  (lb.failoverPriority ?? []).forEach((label, i) => {
    if (TOPOLOGY_LOCALITY_LABELS.includes(label)) {
      report(ctx, Code.invalidValue, `zoneAwareLbSetting failoverPriority must not include topology label '${label}': region, zone and subzone are handled by zone-aware routing`, ["failoverPriority", i]);
    }
  });
  reportFailover(ctx, lb.failover ?? [], "zone aware lb");
});
