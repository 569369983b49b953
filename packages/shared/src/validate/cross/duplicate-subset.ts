import { Code } from "../../model/codes.ts";
import type { ConfigIndex } from "./config-index.ts";
import type { DestinationRuleObject } from "./destination-rules.ts";
import { finding, type CrossFinding } from "./finding.ts";

/**
 * SK2003 (Kiali KIA0201): two DestinationRules that Istio merges (same namespace, same
 * host, same workload selector) both define a subset of the same name. Istio keeps the
 * first definition and drops the other silently, so one of the two labels/policies is
 * not what the proxies use.
 */
export function duplicateSubset(index: ConfigIndex): CrossFinding[] {
  const groups = new Map<string, DestinationRuleObject[]>();
  for (const dr of index.destinationRules) {
    const key = `${dr.namespace}\0${dr.host}\0${selectorKey(dr.spec.workloadSelector?.matchLabels)}`;
    const group = groups.get(key);
    if (group) group.push(dr);
    else groups.set(key, [dr]);
  }
  const out: CrossFinding[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const definitions = new Map<string, { dr: DestinationRuleObject; at: number }[]>();
    for (const dr of group) {
      dr.spec.subsets?.forEach((s, at) => {
        const list = definitions.get(s.name);
        if (list) list.push({ dr, at });
        else definitions.set(s.name, [{ dr, at }]);
      });
    }
    for (const [name, defs] of definitions) {
      const rules = new Set(defs.map((d) => d.dr));
      if (rules.size < 2) continue; // a repeat inside one rule is the schema's finding
      for (const { dr, at } of defs) {
        const others = [...rules].filter((r) => r !== dr).map((r) => `${r.namespace}/${r.name}`);
        out.push(
          finding(
            dr.loaded,
            ["spec", "subsets", at, "name"],
            "error",
            Code.duplicateSubset,
            `subset "${name}" for host ${dr.host} is also defined by DestinationRule ${others.join(", ")}: Istio merges DestinationRules for the same host and keeps only the first definition of a subset`,
          ),
        );
      }
    }
  }
  return out;
}

/** Rules with different workload selectors apply to different clients and are not merged. */
function selectorKey(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return "";
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}
