import * as z from "zod";
import { istioResource } from "./resource.ts";

export const gatewaySpec = z.record(z.string(), z.unknown());
export type GatewaySpec = z.infer<typeof gatewaySpec>;
export const gateway = istioResource(gatewaySpec);
