import type { PathSegment } from "../../diagnostics.ts";
import { Code } from "../../model/codes.ts";
import type { DestinationRuleSpec } from "../../model/destination-rule.ts";
import type { ConfigIndex } from "./config-index.ts";
import { finding, type CrossFinding } from "./finding.ts";
import { isWildcardHost, namespaceOfHost, namespaceScopeOfWildcard } from "../../mesh/hosts.ts";
import { isEmpty, selects, type Labels } from "./labels.ts";
import { PeerAuthenticationModes, type EffectiveMtls } from "./peer-authentication-modes.ts";
import { workloadLabel, type Workload } from "./workloads.ts";

interface TlsSetting {
  mode: string;
  /** Path of the `mode` field. */
  path: PathSegment[];
  /** Set for a subset's policy: only the workloads it selects receive this traffic. */
  subsetLabels?: Labels | undefined;
}

/** Who receives a DestinationRule's traffic: known workloads, or a namespace (or the mesh, "*") as a whole. */
type Servers = { workloads: { workload: Workload; mtls: EffectiveMtls }[] } | { namespace: string; mtls: EffectiveMtls; uncertain: boolean };

const CLIENT_SENDS: Record<string, string> = {
  DISABLE: "sends plain text",
  SIMPLE: "sends TLS without the mesh's client certificate",
  ISTIO_MUTUAL: "sends Istio mutual TLS",
};

/**
 * SK2005 (Kiali KIA0207, KIA0208; the reverse hint is akin to KIA0205, KIA0206): a
 * DestinationRule's client TLS mode contradicts the PeerAuthentication of the workloads
 * behind its host. DISABLE or SIMPLE towards a STRICT workload is refused by its sidecar
 * (error); ISTIO_MUTUAL towards a DISABLE workload reaches an inbound that does not
 * terminate mTLS (warning: the port may be excluded from the sidecar on purpose).
 */
export function tlsConflictsWithPeerAuthentication(index: ConfigIndex): CrossFinding[] {
  if (index.peerAuthentications.length === 0) return [];
  const modes = new PeerAuthenticationModes(index.peerAuthentications);
  const out: CrossFinding[] = [];
  for (const dr of index.destinationRules) {
    for (const setting of tlsSettingsOf(dr.spec)) {
      const sends = CLIENT_SENDS[setting.mode];
      if (!sends) continue;
      const servers = serversOf(index, modes, dr.host, setting.subsetLabels);
      if (!servers) continue;
      const conflict = setting.mode === "ISTIO_MUTUAL" ? refusesMutual(servers) : requiresMutual(servers);
      if (!conflict) continue;
      const head = `tls mode ${setting.mode} ${sends} to host ${dr.host}, but ${conflict.policy}`;
      out.push(finding(dr.loaded, setting.path, conflict.severity, Code.tlsConflictsWithPeerAuthentication, `${head} ${conflict.says}`));
    }
  }
  return out;
}

interface Conflict {
  severity: "error" | "warning";
  policy: string;
  says: string;
}

function requiresMutual(servers: Servers): Conflict | undefined {
  if ("workloads" in servers) {
    const strict = servers.workloads.filter((w) => w.mtls.mode === "STRICT");
    const first = strict[0];
    if (!first) return undefined;
    const whose = strict.length > 1 ? "their sidecars refuse" : "its sidecar refuses";
    return { severity: "error", policy: policyName(first.mtls), says: `requires STRICT mutual TLS for ${listWorkloads(strict.map((s) => s.workload))}: ${whose} these requests` };
  }
  if (servers.mtls.mode !== "STRICT") return undefined;
  const where = servers.namespace === "*" ? "mesh-wide" : `in namespace ${servers.namespace}`;
  return servers.uncertain
    ? { severity: "warning", policy: policyName(servers.mtls), says: `requires STRICT mutual TLS ${where}: sidecars refuse these requests unless a workload-level PeerAuthentication relaxes it` }
    : { severity: "error", policy: policyName(servers.mtls), says: `requires STRICT mutual TLS ${where}: sidecars refuse these requests` };
}

function refusesMutual(servers: Servers): Conflict | undefined {
  if ("workloads" in servers) {
    const first = servers.workloads[0];
    if (!first || !servers.workloads.every((w) => w.mtls.mode === "DISABLE")) return undefined;
    const whose = servers.workloads.length > 1 ? "their sidecars do" : "its sidecar does";
    return { severity: "warning", policy: policyName(first.mtls), says: `disables mutual TLS for ${listWorkloads(servers.workloads.map((s) => s.workload))}: ${whose} not terminate it, so the application receives TLS it cannot read` };
  }
  if (servers.mtls.mode !== "DISABLE" || servers.uncertain) return undefined;
  const where = servers.namespace === "*" ? "mesh-wide" : `in namespace ${servers.namespace}`;
  return { severity: "warning", policy: policyName(servers.mtls), says: `disables mutual TLS ${where}: sidecars do not terminate it, so the application receives TLS it cannot read` };
}

/**
 * The receivers of a DestinationRule's traffic: the workloads behind its host when the
 * input has them, else the namespace of a Kubernetes service host (or the mesh, for
 * "*.local"-style wildcards). External ServiceEntry hosts have no sidecar to conflict with.
 */
function serversOf(index: ConfigIndex, modes: PeerAuthenticationModes, host: string, subsetLabels: Labels | undefined): Servers | undefined {
  if (isWildcardHost(host)) {
    const scope = namespaceScopeOfWildcard(host);
    return scope === undefined ? undefined : namespaceServers(modes, scope);
  }
  const workloads = [...new Set(index.endpointsBehind(host).flatMap((e) => ("workload" in e ? [e.workload] : [])))];
  if (workloads.length > 0) {
    const receiving = isEmpty(subsetLabels) ? workloads : workloads.filter((w) => selects(subsetLabels!, w.labels));
    return { workloads: receiving.map((workload) => ({ workload, mtls: modes.forWorkload(workload) })) };
  }
  const records = index.servicesAt(host);
  const service = records.find((r) => r.kind === "Service");
  if (!service && records.length > 0) return undefined;
  const namespace = service?.namespace ?? namespaceOfHost(host);
  return namespace === undefined ? undefined : namespaceServers(modes, namespace);
}

function namespaceServers(modes: PeerAuthenticationModes, namespace: string): Servers {
  const mtls = modes.forNamespace(namespace);
  return { namespace, mtls, uncertain: namespace !== "*" && modes.hasOverridesIn(namespace, mtls.mode) };
}

/** Every client TLS mode a DestinationRule sets, rule-wide, per port, and per subset. */
function tlsSettingsOf(spec: DestinationRuleSpec): TlsSetting[] {
  const out: TlsSetting[] = [];
  type Policy = NonNullable<DestinationRuleSpec["trafficPolicy"]>;
  const collect = (policy: Policy | undefined, base: PathSegment[], subsetLabels?: Labels) => {
    if (policy?.tls?.mode) out.push({ mode: policy.tls.mode, path: [...base, "tls", "mode"], subsetLabels });
    policy?.portLevelSettings?.forEach((p, i) => {
      if (p.tls?.mode) out.push({ mode: p.tls.mode, path: [...base, "portLevelSettings", i, "tls", "mode"], subsetLabels });
    });
  };
  collect(spec.trafficPolicy, ["spec", "trafficPolicy"]);
  spec.subsets?.forEach((s, i) => collect(s.trafficPolicy, ["spec", "subsets", i, "trafficPolicy"], s.labels));
  return out;
}

function policyName(mtls: EffectiveMtls): string {
  return mtls.policy ? `PeerAuthentication ${mtls.policy.namespace}/${mtls.policy.name}` : "the default PeerAuthentication";
}

function listWorkloads(workloads: readonly Workload[]): string {
  const first = workloads[0];
  if (!first) return "";
  return workloads.length > 1 ? `${workloadLabel(first)} and ${workloads.length - 1} more` : workloadLabel(first);
}
