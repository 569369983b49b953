import * as z from "zod";
import { istioResource } from "./resource.ts";

export const destinationRuleSpec = z.record(z.string(), z.unknown());
export type DestinationRuleSpec = z.infer<typeof destinationRuleSpec>;
export const destinationRule = istioResource(destinationRuleSpec);
