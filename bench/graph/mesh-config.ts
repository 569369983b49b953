// Istio config for the synthetic mesh, applied to the bench's control plane so the graph
// API has config to find for its node badges, as in a real mesh where some services have
// routing, circuit breakers or fault injection and most have none: a DestinationRule with
// subsets for every fifth app, a connection pool on every tenth, a weighted VirtualService
// on every fifth and a fault on every twentieth.
import type { SyntheticWorkload } from "./synthetic-mesh.ts";

export interface ConfigPlan {
  /** Resources in the YAML, by kind. */
  counts: Record<"VirtualService" | "DestinationRule", number>;
  yaml: string;
}

export function meshConfig(workloads: readonly SyntheticWorkload[]): ConfigPlan {
  const apps = new Map<string, SyntheticWorkload[]>();
  for (const w of workloads) {
    const key = `${w.namespace}/${w.app}`;
    apps.set(key, [...(apps.get(key) ?? []), w]);
  }
  const docs: string[] = [];
  const counts = { VirtualService: 0, DestinationRule: 0 };
  let i = 0;
  for (const versions of apps.values()) {
    const k = i++;
    if (k % 5 !== 0) continue;
    const { app, namespace } = versions[0]!;
    const subsets = versions.map((w) => `  - {name: ${w.version}, labels: {version: ${w.version}}}`).join("\n");
    const pool = k % 10 === 0 ? "\n  trafficPolicy:\n    connectionPool:\n      http: {http1MaxPendingRequests: 64}\n    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}" : "";
    docs.push(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${app}, namespace: ${namespace}}
spec:
  host: ${app}${pool}
  subsets:
${subsets}
`);
    counts.DestinationRule++;
    const share = Math.floor(100 / versions.length);
    const routes = versions.map((w, j) => `    - destination: {host: ${app}, subset: ${w.version}}\n      weight: ${j === 0 ? 100 - share * (versions.length - 1) : share}`).join("\n");
    const fault = k % 20 === 0 ? "\n    fault:\n      abort: {percentage: {value: 1}, httpStatus: 503}" : "";
    docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${app}, namespace: ${namespace}}
spec:
  hosts: [${app}]
  http:
  - route:
${routes}${fault}
`);
    counts.VirtualService++;
  }
  return { counts, yaml: docs.join("---\n") };
}
