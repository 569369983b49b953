import type * as z from "zod";
import { authorizationPolicy } from "./authorization-policy.ts";
import { destinationRule } from "./destination-rule.ts";
import { gateway } from "./gateway.ts";
import { peerAuthentication } from "./peer-authentication.ts";
import { requestAuthentication } from "./request-authentication.ts";
import { serviceEntry } from "./service-entry.ts";
import { virtualService } from "./virtual-service.ts";

export interface IstioKind {
  kind: string;
  group: string;
  versions: readonly string[];
  schema: z.ZodType;
}

const NETWORKING_VERSIONS = ["v1", "v1beta1", "v1alpha3"] as const;
const SECURITY_VERSIONS = ["v1", "v1beta1"] as const;

/** The Istio kinds Skein models field by field. */
export const ISTIO_KINDS: readonly IstioKind[] = [
  { kind: "VirtualService", group: "networking.istio.io", versions: NETWORKING_VERSIONS, schema: virtualService },
  { kind: "DestinationRule", group: "networking.istio.io", versions: NETWORKING_VERSIONS, schema: destinationRule },
  { kind: "Gateway", group: "networking.istio.io", versions: NETWORKING_VERSIONS, schema: gateway },
  { kind: "ServiceEntry", group: "networking.istio.io", versions: NETWORKING_VERSIONS, schema: serviceEntry },
  { kind: "PeerAuthentication", group: "security.istio.io", versions: SECURITY_VERSIONS, schema: peerAuthentication },
  { kind: "AuthorizationPolicy", group: "security.istio.io", versions: SECURITY_VERSIONS, schema: authorizationPolicy },
  { kind: "RequestAuthentication", group: "security.istio.io", versions: SECURITY_VERSIONS, schema: requestAuthentication },
];

/**
 * Istio kinds that are real and may appear beside the modelled ones, but that Skein does
 * not act on; they are reported as info, not rejected.
 */
export const UNMODELLED_ISTIO_KINDS: Record<string, readonly string[]> = {
  Sidecar: ["networking.istio.io"],
  EnvoyFilter: ["networking.istio.io"],
  WorkloadEntry: ["networking.istio.io"],
  WorkloadGroup: ["networking.istio.io"],
  ProxyConfig: ["networking.istio.io"],
  Telemetry: ["telemetry.istio.io"],
  WasmPlugin: ["extensions.istio.io"],
};

export function findIstioKind(kind: string): IstioKind | undefined {
  return ISTIO_KINDS.find((k) => k.kind === kind);
}
