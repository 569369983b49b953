/**
 * The PeerAuthentication mode in force for a workload, as its sidecar's inbound listener
 * applies it (the shared compiler's compileMtls), and the policy that set it.
 */
import { compileMtls, policiesFor, ROOT_NAMESPACE, type MtlsMode, type PeerAuthenticationSpec, type Resource, type Workload } from "@skein/shared/browser";

export interface WorkloadMtls {
  mode: MtlsMode;
  portLevel: Record<number, MtlsMode>;
  /** Where the mode comes from: a workload-selecting policy, the namespace's, the mesh-wide one, or Istio's default (PERMISSIVE). */
  level: "workload" | "namespace" | "mesh" | "default";
  policy?: { kind: "PeerAuthentication"; namespace: string; name: string };
}

const setsMode = (p: Resource<PeerAuthenticationSpec>) => p.spec.mtls?.mode !== undefined && p.spec.mtls.mode !== "UNSET";
const hasSelector = (p: Resource<PeerAuthenticationSpec>) => Object.keys(p.spec.selector?.matchLabels ?? {}).length > 0;

export function workloadMtls(resources: readonly Resource[], workload: Pick<Workload, "name" | "namespace" | "serviceAccount" | "labels">, rootNamespace = ROOT_NAMESPACE): WorkloadMtls {
  const pas = resources.filter((r): r is Resource<PeerAuthenticationSpec> => r.kind === "PeerAuthentication");
  const identity = { ...workload, trustDomain: "", spiffeId: "" };
  const { mode, portLevel } = compileMtls(pas, identity, rootNamespace);
  // The same precedence as compileMtls: the first (by name) policy at the most specific level that sets a mode.
  const applicable = policiesFor(pas, workload, rootNamespace).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const levels: [WorkloadMtls["level"], Resource<PeerAuthenticationSpec> | undefined][] = [
    ["workload", applicable.filter((p) => p.metadata.namespace === workload.namespace && hasSelector(p))[0]],
    ["namespace", applicable.filter((p) => p.metadata.namespace === workload.namespace && !hasSelector(p))[0]],
    ["mesh", applicable.filter((p) => p.metadata.namespace === rootNamespace && !hasSelector(p))[0]],
  ];
  for (const [level, p] of levels) {
    if (p && setsMode(p)) return { mode, portLevel, level, policy: { kind: "PeerAuthentication", namespace: p.metadata.namespace, name: p.metadata.name } };
  }
  return { mode, portLevel, level: "default" };
}
