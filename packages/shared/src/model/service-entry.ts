import * as z from "zod";
import { istioResource } from "./resource.ts";

export const serviceEntrySpec = z.record(z.string(), z.unknown());
export type ServiceEntrySpec = z.infer<typeof serviceEntrySpec>;
export const serviceEntry = istioResource(serviceEntrySpec);
