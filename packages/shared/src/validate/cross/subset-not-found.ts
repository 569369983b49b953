import { Code } from "../../model/codes.ts";
import type { ConfigIndex } from "./config-index.ts";
import { destinationRulesCovering, destinationRulesFor, nameRules } from "./destination-rules.ts";
import { finding, type CrossFinding } from "./finding.ts";
import { isWildcardHost } from "../../mesh/hosts.ts";
import { destinationsOf } from "./virtual-service-refs.ts";

/**
 * SK2001 (Kiali KIA1107): a route or mirror names a subset that the DestinationRule for its
 * host does not define. Envoy then has no cluster for it and answers 503 (NR).
 */
export function subsetNotFound(index: ConfigIndex): CrossFinding[] {
  const out: CrossFinding[] = [];
  for (const vs of index.virtualServices) {
    for (const d of destinationsOf(vs.spec)) {
      if (!d.subset) continue;
      const host = index.resolve(d.host, vs.namespace);
      if (isWildcardHost(host)) continue;
      const subset = d.subset;
      const rules = destinationRulesFor(index, host, vs.namespace);
      if (rules.length > 0) {
        const defined = rules.flatMap((r) => (r.spec.subsets ?? []).map((s) => s.name));
        if (defined.includes(subset)) continue;
        out.push(finding(vs.loaded, [...d.path, "subset"], "error", Code.subsetNotFound, `subset "${subset}" is not defined by ${nameRules(rules)} for host ${host} (${definedSubsets(defined)})`));
        continue;
      }
      const elsewhere = destinationRulesCovering(index, host).filter((r) => (r.spec.subsets ?? []).some((s) => s.name === subset));
      if (elsewhere.length > 0) {
        out.push(
          finding(
            vs.loaded,
            [...d.path, "subset"],
            "error",
            Code.subsetNotFound,
            `subset "${subset}" is defined by ${nameRules(elsewhere)}, which does not apply in namespace ${vs.namespace}: a DestinationRule applies to proxies of its own namespace, and from the service's namespace or istio-system only where exported`,
          ),
        );
        continue;
      }
      out.push(finding(vs.loaded, [...d.path, "subset"], "warning", Code.subsetNotFound, `subset "${subset}" cannot be checked: no DestinationRule for host ${host} in the input`));
    }
  }
  return out;
}

function definedSubsets(names: readonly string[]): string {
  if (names.length === 0) return "it defines no subsets";
  const shown = names.slice(0, 6).join(", ");
  return names.length > 6 ? `it defines ${shown} and ${names.length - 6} more` : `it defines ${shown}`;
}
