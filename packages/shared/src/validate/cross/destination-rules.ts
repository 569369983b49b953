import type { DestinationRuleSpec } from "../../model/destination-rule.ts";
import type { ConfigIndex, HostRule } from "./config-index.ts";
import { namespaceOfHost, ROOT_NAMESPACE } from "../../mesh/hosts.ts";

export type DestinationRuleObject = HostRule<DestinationRuleSpec>;

/** Whether a rule's exportTo lets proxies of `namespace` use it (no exportTo: everyone). */
export function exportedTo(rule: { namespace: string; spec: { exportTo?: readonly string[] | undefined } }, namespace: string): boolean {
  const exportTo = rule.spec.exportTo;
  if (!exportTo || exportTo.length === 0) return true;
  return exportTo.some((e) => e === "*" || e === namespace || (e === "." && rule.namespace === namespace));
}

/**
 * The DestinationRules a proxy in `clientNamespace` applies to `host`, as Istio's
 * PushContext.destinationRule picks them: the client's own namespace first, then the
 * service's namespace, then the root namespace (the last two only when exported to the
 * client). Within a namespace the most specific host wins, and rules for that same host
 * are merged, so all of them are returned.
 */
export function destinationRulesFor(index: ConfigIndex, host: string, clientNamespace: string): DestinationRuleObject[] {
  const serviceNamespace = index.servicesAt(host)[0]?.namespace ?? namespaceOfHost(host);
  const tiers = [clientNamespace];
  if (serviceNamespace && serviceNamespace !== clientNamespace) tiers.push(serviceNamespace);
  if (!tiers.includes(ROOT_NAMESPACE)) tiers.push(ROOT_NAMESPACE);
  const candidates: DestinationRuleObject[][] = [];
  for (const key of index.ruleKeys(host)) {
    const list = index.destinationRulesByHost.get(key);
    if (list) candidates.push(list);
  }
  if (candidates.length === 0) return [];
  for (const ns of tiers) {
    for (const list of candidates) {
      const rules = list.filter((r) => r.namespace === ns && exportedTo(r, clientNamespace));
      if (rules.length > 0) return rules;
    }
  }
  return [];
}

/** Every DestinationRule whose host covers `host`, wherever it is and whoever it applies to. */
export function destinationRulesCovering(index: ConfigIndex, host: string): DestinationRuleObject[] {
  return index.ruleKeys(host).flatMap((k) => index.destinationRulesByHost.get(k) ?? []);
}

/** "DestinationRule default/reviews" or "DestinationRules default/a, default/b". */
export function nameRules(rules: readonly { namespace: string; name: string }[]): string {
  const names = rules.map((r) => `${r.namespace}/${r.name}`);
  return `${names.length === 1 ? "DestinationRule" : "DestinationRules"} ${names.join(", ")}`;
}
