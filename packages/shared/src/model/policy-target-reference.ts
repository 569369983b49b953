import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, report } from "./common.ts";

/**
 * The kinds a policy may attach to (Istio's allowedTargetRefs). The version is not
 * checked, only group and kind; an empty group means the core API group.
 */
const ALLOWED_TARGETS: readonly { group: string; kind: string }[] = [
  { group: "core", kind: "Service" },
  { group: "networking.istio.io", kind: "ServiceEntry" },
  { group: "gateway.networking.k8s.io", kind: "Gateway" },
  { group: "gateway.networking.k8s.io", kind: "GatewayClass" },
];

const ALLOWED_LIST = ALLOWED_TARGETS.map((t) => `${t.group}/${t.kind}`).join(", ");

/**
 * Istio's PolicyTargetReference (istio.type.v1beta1): the resource a policy attaches to
 * instead of a workload selector (Gateway API policy attachment).
 */
export const policyTargetReference = obj({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
}).superRefine((ref, ctx) => {
  if (!ref.name) report(ctx, Code.requiredField, "targetRef name must be set", ["name"]);
  if (ref.namespace) {
    // Istio attaches policies only within their own namespace.
    report(ctx, Code.invalidValue, "targetRef namespace must not be set; cross namespace referencing is not currently supported", ["namespace"]);
  }
  const group = ref.group ? ref.group : "core";
  if (!ALLOWED_TARGETS.some((t) => t.group === group && t.kind === ref.kind)) {
    report(ctx, Code.invalidValue, `targetRef must be to one of ${ALLOWED_LIST} but was ${ref.group ?? ""}/${ref.kind ?? ""}`, ref.kind ? ["kind"] : []);
  }
});

export type PolicyTargetReference = z.infer<typeof policyTargetReference>;

/** `targetRefs`: Istio's CRD caps the list at 16 entries. */
export const policyTargetReferences = z.array(policyTargetReference).max(16, { error: "targetRefs may have at most 16 entries" });

/** The fields a policy uses to say what it applies to. */
export interface PolicyTargetSelection {
  selector?: unknown;
  targetRef?: unknown;
  targetRefs?: readonly unknown[];
}

/**
 * Istio's validateOneOfSelectorType: a policy picks its workloads by selector, by
 * targetRef or by targetRefs, never by more than one of them.
 */
export function checkOneTargetSelection(spec: PolicyTargetSelection, ctx: z.RefinementCtx): void {
  const set = [
    spec.selector !== undefined ? "selector" : undefined,
    spec.targetRef !== undefined ? "targetRef" : undefined,
    spec.targetRefs !== undefined && spec.targetRefs.length > 0 ? "targetRefs" : undefined,
  ].filter((f): f is string => f !== undefined);
  if (set.length > 1) {
    report(ctx, Code.mutuallyExclusive, `only one of targetRefs or selector can be set (found ${set.join(" and ")})`, [set[1]!]);
  }
}
