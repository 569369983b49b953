import type { AuthorizationPolicySpec } from "../model/authorization-policy.ts";
import type { PeerAuthenticationSpec } from "../model/peer-authentication.ts";
import type { Resource } from "../model/resource.ts";
import type { RegistryService } from "./registry.ts";
import { labelsMatch, policiesFor, ROOT_NAMESPACE } from "./select.ts";
import type { CompiledAuthorization, InboundListener, MtlsMode, WorkloadIdentity } from "./snapshot.ts";

type PeerMode = NonNullable<NonNullable<PeerAuthenticationSpec["mtls"]>["mode"]>;

/**
 * PeerAuthentication precedence: workload-selected, then namespace-wide, then mesh-wide
 * (root namespace); UNSET inherits from the next level; the mesh default is PERMISSIVE.
 * https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export function compileMtls(pas: readonly Resource<PeerAuthenticationSpec>[], workload: WorkloadIdentity, rootNamespace = ROOT_NAMESPACE): InboundListener["mtls"] {
  const applicable = policiesFor(pas, workload, rootNamespace);
  const hasSelector = (p: Resource<PeerAuthenticationSpec>) => Object.keys(p.spec.selector?.matchLabels ?? {}).length > 0;
  const oldestFirst = (a: Resource, b: Resource) => a.metadata.name.localeCompare(b.metadata.name);
  const workloadLevel = applicable.filter((p) => p.metadata.namespace === workload.namespace && hasSelector(p)).sort(oldestFirst)[0];
  const namespaceLevel = applicable.filter((p) => p.metadata.namespace === workload.namespace && !hasSelector(p)).sort(oldestFirst)[0];
  const meshLevel = applicable.filter((p) => p.metadata.namespace === rootNamespace && !hasSelector(p)).sort(oldestFirst)[0];
  const resolve = (mode: PeerMode | undefined): MtlsMode | undefined => (mode === undefined || mode === "UNSET" ? undefined : mode);
  const inherited = resolve(namespaceLevel?.spec.mtls?.mode) ?? resolve(meshLevel?.spec.mtls?.mode) ?? "PERMISSIVE";
  const mode = resolve(workloadLevel?.spec.mtls?.mode) ?? inherited;
  const portLevel: Record<number, MtlsMode> = {};
  for (const [port, setting] of Object.entries(workloadLevel?.spec.portLevelMtls ?? {})) {
    portLevel[Number(port)] = resolve(setting.mode) ?? mode;
  }
  return { mode, portLevel };
}

export function compileAuthorization(aps: readonly Resource<AuthorizationPolicySpec>[], workload: WorkloadIdentity, rootNamespace = ROOT_NAMESPACE): CompiledAuthorization {
  const out: CompiledAuthorization = { custom: [], deny: [], allow: [], audit: [] };
  const sorted = [...policiesFor(aps, workload, rootNamespace)].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const p of sorted) {
    const dryRun = p.metadata.annotations?.["istio.io/dry-run"]?.toLowerCase() === "true";
    const compiled = {
      name: `${p.metadata.namespace}/${p.metadata.name}`,
      dryRun,
      rules: p.spec.rules ?? [],
      ...(p.spec.provider?.name ? { provider: p.spec.provider.name } : {}),
    };
    switch (p.spec.action ?? "ALLOW") {
      case "CUSTOM":
        out.custom.push(compiled);
        break;
      case "DENY":
        out.deny.push(compiled);
        break;
      case "AUDIT":
        out.audit.push(compiled);
        break;
      default:
        out.allow.push(compiled);
    }
  }
  return out;
}

/** The ports this workload serves: those of every service in its namespace whose selector picks it. */
export function inboundPorts(services: readonly RegistryService[], workload: WorkloadIdentity): InboundListener["ports"] {
  const seen = new Set<number>();
  const out: InboundListener["ports"] = [];
  for (const s of services) {
    if (s.namespace !== workload.namespace || !s.selector || Object.keys(s.selector).length === 0 || !labelsMatch(s.selector, workload.labels)) continue;
    for (const p of s.ports) {
      if (seen.has(p.number)) continue;
      seen.add(p.number);
      out.push({ port: p.number, protocol: p.protocol, targetPort: p.targetPort ?? p.number });
    }
  }
  return out;
}
