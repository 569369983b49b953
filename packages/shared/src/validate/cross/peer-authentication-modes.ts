import type { PeerAuthenticationSpec } from "../../model/peer-authentication.ts";
import type { IstioObject } from "./config-index.ts";
import { ROOT_NAMESPACE } from "../../mesh/hosts.ts";
import { isEmpty, selects } from "./labels.ts";
import type { Workload } from "./workloads.ts";

export type PeerAuthenticationObject = IstioObject<PeerAuthenticationSpec>;

/** The mutual TLS mode a server-side sidecar enforces, and the policy that set it. */
export interface EffectiveMtls {
  mode: "STRICT" | "PERMISSIVE" | "DISABLE";
  /** Absent when no policy of the input applies (Istio's default: PERMISSIVE). */
  policy?: PeerAuthenticationObject;
}

/**
 * Istio's ComposePeerAuthentication: the workload's own policy (selector, not in the root
 * namespace) over its namespace's policy over the mesh policy (root namespace, no
 * selector); UNSET inherits from the next level. Of several policies at one level Istio
 * takes the oldest; the input has no timestamps, so the first one in the input counts.
 * Port-level modes are not considered: PeerAuthentication keys them by container port,
 * DestinationRules by service port, and the input rarely says how they map.
 */
export class PeerAuthenticationModes {
  private mesh: PeerAuthenticationObject | undefined;
  private readonly namespaceWide = new Map<string, PeerAuthenticationObject>();
  private readonly selecting = new Map<string, PeerAuthenticationObject[]>();

  constructor(policies: readonly PeerAuthenticationObject[]) {
    for (const pa of policies) {
      const selector = pa.spec.selector?.matchLabels;
      if (isEmpty(selector)) {
        if (pa.namespace === ROOT_NAMESPACE) this.mesh ??= pa;
        else if (!this.namespaceWide.has(pa.namespace)) this.namespaceWide.set(pa.namespace, pa);
      } else if (pa.namespace !== ROOT_NAMESPACE) {
        // A selector in the root namespace is ignored for peer authentication.
        const list = this.selecting.get(pa.namespace);
        if (list) list.push(pa);
        else this.selecting.set(pa.namespace, [pa]);
      }
    }
  }

  /** The mode for workloads of `namespace` that no workload-level policy selects ("*": mesh-wide). */
  forNamespace(namespace: string): EffectiveMtls {
    const ns = namespace === "*" ? undefined : this.namespaceWide.get(namespace);
    return modeOf(ns) ?? modeOf(this.mesh) ?? { mode: "PERMISSIVE" };
  }

  forWorkload(w: Workload): EffectiveMtls {
    const own = this.selecting.get(w.namespace)?.find((pa) => selects(pa.spec.selector?.matchLabels ?? {}, w.labels));
    return modeOf(own) ?? this.forNamespace(w.namespace);
  }

  /** Whether some workload-level policy of `namespace` could set a mode other than `mode`. */
  hasOverridesIn(namespace: string, mode: EffectiveMtls["mode"]): boolean {
    return (this.selecting.get(namespace) ?? []).some((pa) => {
      const m = pa.spec.mtls?.mode;
      return m !== undefined && m !== "UNSET" && m !== mode;
    });
  }
}

function modeOf(pa: PeerAuthenticationObject | undefined): EffectiveMtls | undefined {
  const mode = pa?.spec.mtls?.mode;
  if (!pa || mode === undefined || mode === "UNSET") return undefined;
  return { mode, policy: pa };
}
