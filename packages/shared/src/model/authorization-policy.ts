import * as z from "zod";
import { istioResource } from "./resource.ts";

export const authorizationPolicySpec = z.record(z.string(), z.unknown());
export type AuthorizationPolicySpec = z.infer<typeof authorizationPolicySpec>;
export const authorizationPolicy = istioResource(authorizationPolicySpec);
