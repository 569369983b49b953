import type { PathSegment } from "../../diagnostics.ts";
import { Code } from "../../model/codes.ts";
import type { LoadedResource } from "../load.ts";
import type { ConfigIndex } from "./config-index.ts";
import { finding, type CrossFinding } from "./finding.ts";
import { ROOT_NAMESPACE } from "../../mesh/hosts.ts";
import { asRecord, asStringMap, formatLabels, isEmpty, type Labels } from "./labels.ts";
import { ALL_NAMESPACES, workloadLabel } from "./workloads.ts";

interface Selector {
  target: LoadedResource;
  labels: Labels | undefined;
  path: PathSegment[];
  /** Namespace whose workloads it selects, or ALL_NAMESPACES. */
  scope: string;
}

/** Unmodelled kinds that select workloads, and where their selector is. */
const UNMODELLED_SELECTORS: Record<string, "workloadSelector" | "selector"> = {
  Sidecar: "workloadSelector",
  EnvoyFilter: "workloadSelector",
  Telemetry: "selector",
  WasmPlugin: "selector",
  ProxyConfig: "selector",
};

/**
 * SK2008 (Kiali KIA0004; KIA0302 for Gateways): a selector that picks no workload of the
 * input, so the resource applies to nothing. Policies in the root namespace select across
 * namespaces, and so do Gateways (Istio's default). A warning: the workloads may be
 * deployed separately.
 */
export function selectorMatchesNoWorkload(index: ConfigIndex): CrossFinding[] {
  const out: CrossFinding[] = [];
  const policyScope = (ns: string) => (ns === ROOT_NAMESPACE ? ALL_NAMESPACES : ns);
  const selectors: Selector[] = [];
  for (const list of [index.authorizationPolicies, index.peerAuthentications, index.requestAuthentications]) {
    for (const p of list) selectors.push({ target: p.loaded, labels: p.spec.selector?.matchLabels, path: ["spec", "selector", "matchLabels"], scope: policyScope(p.namespace) });
  }
  for (const gw of index.gateways) selectors.push({ target: gw.loaded, labels: gw.spec.selector, path: ["spec", "selector"], scope: ALL_NAMESPACES });
  for (const dr of index.destinationRules) {
    selectors.push({ target: dr.loaded, labels: dr.spec.workloadSelector?.matchLabels, path: ["spec", "workloadSelector", "matchLabels"], scope: dr.namespace });
  }
  for (const se of index.serviceEntries) {
    selectors.push({ target: se.loaded, labels: se.spec.workloadSelector?.labels, path: ["spec", "workloadSelector", "labels"], scope: se.namespace });
  }
  for (const l of index.unmodelled) {
    const field = UNMODELLED_SELECTORS[l.resource.kind];
    if (!field) continue;
    const key = field === "workloadSelector" ? "labels" : "matchLabels";
    const labels = asStringMap(asRecord(asRecord(l.raw.spec)?.[field])?.[key]);
    selectors.push({ target: l, labels, path: ["spec", field, key], scope: policyScope(l.resource.metadata.namespace) });
  }

  for (const s of selectors) {
    if (isEmpty(s.labels) || index.workloads.matching(s.labels!, s.scope).length > 0) continue;
    const labels = formatLabels(s.labels!);
    if (s.scope === ALL_NAMESPACES) {
      out.push(finding(s.target, s.path, "warning", Code.selectorMatchesNoWorkload, `selector ${labels} matches no workload of the input in any namespace`));
      continue;
    }
    const elsewhere = index.workloads.matching(s.labels!, ALL_NAMESPACES)[0];
    const hint = elsewhere ? ` (${workloadLabel(elsewhere)} matches, but selectors only pick workloads of their own namespace)` : "";
    out.push(finding(s.target, s.path, "warning", Code.selectorMatchesNoWorkload, `selector ${labels} matches no workload of the input in namespace ${s.scope}${hint}`));
  }
  return out;
}
