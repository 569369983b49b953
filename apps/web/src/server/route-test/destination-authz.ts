import { evaluateAuthorization, type CompiledAuthorization, type InboundListener } from "@skein/shared/browser";
import type { EndpointAuthorization, ForwardedRequest, TransportSecurity } from "./result";

export interface InboundCaller {
  /** Istio principal of the source (`td/ns/x/sa/y`). */
  principal: string;
  namespace: string;
  address: string;
}

/**
 * What the destination's inbound listener does with the request: refuse the connection
 * (plaintext under STRICT, TLS under DISABLE, as the sidecar's listener does before any
 * filter), then the RBAC filter with the destination's AuthorizationPolicies. The peer
 * identity exists only over mutual TLS.
 */
export function authorizeAtDestination(
  destination: { workload: string; namespace: string; address: string; inbound: InboundListener },
  security: TransportSecurity,
  caller: InboundCaller,
  req: ForwardedRequest & { method: string },
): EndpointAuthorization {
  const { inbound } = destination;
  // The inbound listener fronts the app port; portLevelMtls is keyed by it.
  const appPort = inbound.ports[0]?.targetPort;
  const mtlsMode = (appPort !== undefined ? inbound.mtls.portLevel[appPort] : undefined) ?? inbound.mtls.mode;
  const base = { workload: destination.workload, namespace: destination.namespace, mtlsMode, security, policies: policiesOf(inbound.authorization), shadow: [] };
  if (mtlsMode === "STRICT" && security !== "mutual_tls") {
    return { ...base, connectionRefused: true, allowed: false, reason: `STRICT mTLS at ${destination.namespace}/${destination.workload} refuses the ${security} connection (the caller sees 503 UF/URX)` };
  }
  if (mtlsMode === "DISABLE" && security !== "plaintext") {
    return { ...base, connectionRefused: true, allowed: false, reason: `mTLS is DISABLEd at ${destination.namespace}/${destination.workload}: the TLS handshake is refused (the caller sees 503 UF)` };
  }
  const peer = security === "mutual_tls" ? { principal: caller.principal, namespace: caller.namespace } : {};
  const decision = evaluateAuthorization(inbound.authorization, {
    ...peer,
    sourceIp: caller.address,
    destinationIp: destination.address,
    // The sidecar checks `ports` against the first port its inbound listener serves.
    port: inbound.ports[0]?.port ?? 0,
    http: { host: req.authority, method: req.method, path: req.path, headers: req.headers },
  });
  const reason = decision.allowed ? decision.reason : `${decision.reason}: the caller sees 403 RBAC: access denied`;
  return { ...base, connectionRefused: false, allowed: decision.allowed, reason, shadow: decision.shadow };
}

function policiesOf(a: CompiledAuthorization): EndpointAuthorization["policies"] {
  const of = (list: CompiledAuthorization["allow"], action: EndpointAuthorization["policies"][number]["action"]) => list.map((p) => ({ name: p.name, action, dryRun: p.dryRun }));
  return [...of(a.custom, "CUSTOM"), ...of(a.deny, "DENY"), ...of(a.allow, "ALLOW"), ...of(a.audit, "AUDIT")];
}
