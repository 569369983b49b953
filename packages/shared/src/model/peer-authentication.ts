import * as z from "zod";
import { istioResource } from "./resource.ts";

export const peerAuthenticationSpec = z.record(z.string(), z.unknown());
export type PeerAuthenticationSpec = z.infer<typeof peerAuthenticationSpec>;
export const peerAuthentication = istioResource(peerAuthenticationSpec);
