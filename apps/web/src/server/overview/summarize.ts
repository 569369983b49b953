/**
 * The overview's one line per namespace: apps and their health, mTLS in force, the
 * validation of the namespace's Istio config, and how many sidecars run the config the
 * control plane last sent them. Pure: the route handler fetches, this counts.
 */
import { ROOT_NAMESPACE, type HealthStatus, type MtlsMode, type ProxyStatus, type Resource, type Workload } from "@skein/shared/browser";
import type { HealthIndex } from "./health";
import { workloadMtls } from "./mtls";

/** A sidecar's config state, as xDS tells it: the version sent was ACKed, NACKed, or not answered yet. */
export type ProxyState = "acked" | "nacked" | "pending" | "disconnected" | "unknown";

export function proxyState(p: ProxyStatus | undefined): ProxyState {
  if (!p) return "unknown";
  if (!p.connected) return "disconnected";
  if (p.nack && p.nack.version === p.sentVersion) return "nacked";
  if (p.sentVersion !== undefined && p.ackedVersion === p.sentVersion) return "acked";
  return "pending";
}

export interface ConfigCounts {
  total: number;
  valid: number;
  warnings: number;
  errors: number;
}

export interface NamespaceSummary {
  name: string;
  apps: number;
  workloads: number;
  services: number;
  /** Apps by health; `idle` counts registered apps without requests in the window. */
  health: Record<HealthStatus, number>;
  mtls: { status: MtlsMode | "mixed" | "none"; workloads: Partial<Record<MtlsMode, number>>; policies: { namespace: string; name: string }[] };
  config: ConfigCounts;
  proxies: { total: number; connected: number; acked: number; nacked: number; pending: number };
}

export interface OverviewInput {
  workloads: readonly Workload[];
  proxies: readonly ProxyStatus[];
  resources: readonly Resource[];
  /** Validation per stored resource. */
  validation: readonly { kind: string; namespace: string; name: string; errors: number; warnings: number }[];
  /** Undefined when Prometheus could not be asked: health is then left out, not guessed. */
  health: HealthIndex | undefined;
  rootNamespace?: string;
}

export function summarizeNamespaces(input: OverviewInput): NamespaceSummary[] {
  const root = input.rootNamespace ?? ROOT_NAMESPACE;
  const names = new Set<string>([...input.workloads.map((w) => w.namespace), ...input.resources.map((r) => r.metadata.namespace)]);
  return [...names].sort().map((ns) => {
    const workloads = input.workloads.filter((w) => w.namespace === ns);
    const apps = [...new Set(workloads.map((w) => w.labels.app ?? w.name))];
    const health: Record<HealthStatus, number> = { healthy: 0, degraded: 0, failure: 0, idle: 0 };
    if (input.health) for (const a of apps) health[input.health.apps[`${ns}/${a}`]?.status ?? "idle"]++;
    const modes: Partial<Record<MtlsMode, number>> = {};
    for (const w of workloads) {
      const m = workloadMtls(input.resources, w, root).mode;
      modes[m] = (modes[m] ?? 0) + 1;
    }
    const distinct = Object.keys(modes) as MtlsMode[];
    const config: ConfigCounts = { total: 0, valid: 0, warnings: 0, errors: 0 };
    for (const v of input.validation) {
      if (v.namespace !== ns) continue;
      config.total++;
      if (v.errors > 0) config.errors++;
      else if (v.warnings > 0) config.warnings++;
      else config.valid++;
    }
    const proxies = { total: 0, connected: 0, acked: 0, nacked: 0, pending: 0 };
    for (const p of input.proxies) {
      if (p.namespace !== ns) continue;
      proxies.total++;
      const s = proxyState(p);
      if (p.connected) proxies.connected++;
      if (s === "acked" || s === "nacked" || s === "pending") proxies[s]++;
    }
    const policies = input.resources
      .filter((r) => r.kind === "PeerAuthentication" && (r.metadata.namespace === ns || r.metadata.namespace === root))
      .map((r) => ({ namespace: r.metadata.namespace, name: r.metadata.name }));
    return {
      name: ns,
      apps: apps.length,
      workloads: workloads.length,
      services: new Set(workloads.flatMap((w) => (w.service ? [w.service.name] : []))).size,
      health,
      mtls: { status: distinct.length === 0 ? "none" : distinct.length === 1 ? distinct[0]! : "mixed", workloads: modes, policies },
      config,
      proxies,
    };
  });
}

/** GET /api/overview's answer. */
export interface OverviewResponse {
  /** The health window, a Prometheus duration. */
  duration: string;
  namespaces: NamespaceSummary[];
  /** Health by `namespace/name`; null when Prometheus could not be asked. */
  health: HealthIndex | null;
  /** What was left out and why. */
  warnings: string[];
}
