import * as z from "zod";
import { authorizationRule, customActionFindings, ruleFindings } from "./authorization-rule.ts";
import { Code } from "./codes.ts";
import { obj, oneOf, report, workloadSelector } from "./common.ts";
import { checkOneTargetSelection, policyTargetReference, policyTargetReferences } from "./policy-target-reference.ts";
import { istioResource } from "./resource.ts";

export const AUTHORIZATION_ACTIONS = ["ALLOW", "DENY", "AUDIT", "CUSTOM"] as const;
export type AuthorizationAction = (typeof AUTHORIZATION_ACTIONS)[number];

/** The annotation that makes a policy report its decision without enforcing it. */
export const DRY_RUN_ANNOTATION = "istio.io/dry-run";

/**
 * Istio's AuthorizationPolicy (security.istio.io v1, v1beta1). A request matches the
 * policy when it matches any rule; the action decides what a match means. An ALLOW
 * policy with no rules matches nothing, so it denies every request it selects.
 */
export const authorizationPolicySpec = obj({
  selector: workloadSelector.optional(),
  targetRef: policyTargetReference.optional(),
  targetRefs: policyTargetReferences.optional(),
  rules: z.array(authorizationRule).optional(),
  action: oneOf(AUTHORIZATION_ACTIONS).optional(),
  // The extension provider (from mesh config) that decides CUSTOM requests.
  provider: obj({ name: z.string().optional() }).optional(),
}).superRefine((spec, ctx) => {
  checkOneTargetSelection(spec, ctx);
  const action = spec.action ?? "ALLOW";
  const hasRules = spec.rules !== undefined && spec.rules.length > 0;
  if ((action === "DENY" || action === "CUSTOM") && !hasRules) {
    report(ctx, Code.requiredField, `${action} action without \`rules\` is meaningless as it will never be triggered, add an empty rule \`{}\` if you want it be triggered for every request`, ["action"]);
  }
  if (action === "CUSTOM" && hasRules && !spec.provider?.name) {
    report(ctx, Code.requiredField, "`provider.name` must not be empty: a CUSTOM action needs the name of an extension provider", spec.provider ? ["provider", "name"] : ["action"]);
  }
  if (spec.provider !== undefined && action !== "CUSTOM") {
    report(ctx, Code.invalidValue, `\`provider\` must not be with non CUSTOM action, found ${action}`, ["provider"]);
  }
  spec.rules?.forEach((rule, i) => {
    const findings = action === "CUSTOM" ? [...customActionFindings(rule), ...ruleFindings(rule, i)] : ruleFindings(rule, i);
    for (const f of findings) report(ctx, f.code, f.message, ["rules", i, ...f.path]);
  });
});

export type AuthorizationPolicySpec = z.infer<typeof authorizationPolicySpec>;

/** Go's strconv.ParseBool, which Istio uses to read the dry-run annotation. */
const GO_BOOLS = new Set(["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"]);

export const authorizationPolicy = istioResource(authorizationPolicySpec).superRefine((policy, ctx) => {
  const value = policy.metadata.annotations?.[DRY_RUN_ANNOTATION];
  if (value === undefined) return;
  const path = ["metadata", "annotations", DRY_RUN_ANNOTATION];
  const action = policy.spec.action ?? "ALLOW";
  // Dry run shadows an enforcing decision; AUDIT and CUSTOM have none to shadow.
  if (action !== "ALLOW" && action !== "DENY") {
    report(ctx, Code.invalidAnnotation, `the annotation ${DRY_RUN_ANNOTATION} currently only supports action ALLOW/DENY, found action ${action}`, path);
  } else if (!GO_BOOLS.has(value)) {
    report(ctx, Code.invalidAnnotation, `AuthorizationPolicy ${policy.metadata.name} has annotation ${DRY_RUN_ANNOTATION} with invalid value (${value}): must be true or false`, path);
  }
});
