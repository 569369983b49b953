import * as z from "zod";
import { obj, workloadSelector } from "./common.ts";
import { jwtRule } from "./jwt-rule.ts";
import { checkOneTargetSelection, policyTargetReference, policyTargetReferences } from "./policy-target-reference.ts";
import { istioResource } from "./resource.ts";

/**
 * Istio's RequestAuthentication (security.istio.io v1, v1beta1): the JWTs the selected
 * workloads verify. A request without a token passes unauthenticated; one with a bad
 * token is rejected. Requiring a token is an AuthorizationPolicy's job.
 */
export const requestAuthenticationSpec = obj({
  selector: workloadSelector.optional(),
  targetRef: policyTargetReference.optional(),
  targetRefs: policyTargetReferences.optional(),
  jwtRules: z.array(jwtRule).optional(),
}).superRefine((spec, ctx) => checkOneTargetSelection(spec, ctx));

export type RequestAuthenticationSpec = z.infer<typeof requestAuthenticationSpec>;
export const requestAuthentication = istioResource(requestAuthenticationSpec);
