import * as z from "zod";
import { Code } from "./codes.ts";
import { labels, obj, report, workloadSelector } from "./common.ts";
import { isIstioDns1123Label } from "./dns-label.ts";
import { exportToList, exportToNamespaceErrors } from "./export-to.ts";
import { wildcardHostError } from "./host-name.ts";
import { istioResource } from "./resource.ts";
import { trafficPolicy } from "./traffic-policy.ts";

/** A named set of a service's endpoints (usually one version), selected by labels, with its own policy overrides. */
export const subset = obj({
  name: z.string().superRefine((name, ctx) => {
    if (name === "") report(ctx, Code.emptyValue, "subset name cannot be empty");
    else if (!isIstioDns1123Label(name)) report(ctx, Code.invalidName, `subset name is invalid: ${name} (must be a DNS-1123 label)`);
  }),
  labels: labels.optional(),
  trafficPolicy: trafficPolicy.optional(),
});

export type Subset = z.infer<typeof subset>;

export const destinationRuleSpec = obj({
  host: z.string().superRefine((host, ctx) => {
    const err = wildcardHostError(host);
    if (err) report(ctx, Code.invalidHost, err);
  }),
  trafficPolicy: trafficPolicy.optional(),
  subsets: z.array(subset).optional(),
  exportTo: exportToList({ serviceEntry: false }).optional(),
  workloadSelector: workloadSelector.optional(),
}).superRefine((dr, ctx) => {
  const seen = new Set<string>();
  (dr.subsets ?? []).forEach((s, i) => {
    if (seen.has(s.name)) report(ctx, Code.duplicateValue, `duplicate subset names: ${s.name}`, ["subsets", i, "name"]);
    seen.add(s.name);
  });
});

export type DestinationRuleSpec = z.infer<typeof destinationRuleSpec>;

/**
 * The exportTo rules that need the rule's namespace. A rule with a workload selector applies
 * only to workloads of its own namespace, so Istio forbids exporting it anywhere else. When
 * the manifest names no namespace, only "." is known to be the rule's own.
 */
export const destinationRule = istioResource(destinationRuleSpec).superRefine((dr, ctx) => {
  const exportTo = dr.spec.exportTo ?? [];
  const namespace = dr.metadata.namespace;
  if (namespace !== undefined) {
    for (const e of exportToNamespaceErrors(exportTo, namespace)) report(ctx, Code.duplicateValue, e.message, ["spec", "exportTo", e.index]);
  }
  if (dr.spec.workloadSelector === undefined || exportTo.length === 0) return;
  const own = (e: string) => e === "." || e === namespace || (namespace === undefined && e !== "*" && e !== "~");
  const beyond = exportTo.findIndex((e) => !own(e));
  if (beyond >= 0) {
    report(ctx, Code.invalidValue, "destination rule with workload selector cannot have exportTo beyond current namespace", ["spec", "exportTo", beyond]);
  } else if (new Set(exportTo.map((e) => (e === "." ? namespace : e))).size > 1) {
    report(ctx, Code.invalidValue, "destination rule with workload selector cannot have multiple entries in exportTo", ["spec", "exportTo"]);
  }
});
