import * as z from "zod";
import { istioResource } from "./resource.ts";

export const requestAuthenticationSpec = z.record(z.string(), z.unknown());
export type RequestAuthenticationSpec = z.infer<typeof requestAuthenticationSpec>;
export const requestAuthentication = istioResource(requestAuthenticationSpec);
