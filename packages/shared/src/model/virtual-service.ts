import * as z from "zod";
import { istioResource } from "./resource.ts";

export const virtualServiceSpec = z.record(z.string(), z.unknown());
export type VirtualServiceSpec = z.infer<typeof virtualServiceSpec>;
export const virtualService = istioResource(virtualServiceSpec);
