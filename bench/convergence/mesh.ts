// The mesh the convergence bench simulates: services spread over namespaces, two versions
// per service, a DestinationRule with subsets and a VirtualService splitting by weight per
// service, and the sequence of config changes applied while every sidecar is connected.
// Pure: the same plan always gives the same workloads, YAML and changes.
import type { Workload } from "@skein/shared";

export interface MeshPlan {
  namespaces: number;
  services: number;
  workloadsPerService: number;
  changes: number;
}

export interface MeshService {
  name: string;
  namespace: string;
}

/** One config change: YAML for POST /api/v1/apply, and what it is for the report. */
export interface MeshChange {
  index: number;
  label: string;
  /** A changed VirtualService or DestinationRule every sidecar sees, or one scoped by a workloadSelector. */
  scope: "mesh-wide" | "scoped";
  yaml: string;
  /**
   * Whether the change alters what this workload's sidecar holds. Every sidecar holds
   * every service (the compiler has no Sidecar or exportTo scoping), so a change to a
   * service's VirtualService or DestinationRule reaches them all; a client-side
   * DestinationRule only the workloads it selects.
   */
  affects(w: Workload): boolean;
}

export const SERVICE_PORT = 8080;
const VERSIONS = ["v1", "v2"] as const;

export function meshServices(p: MeshPlan): MeshService[] {
  return Array.from({ length: p.services }, (_, i) => ({ name: `svc-${String(i).padStart(2, "0")}`, namespace: `ns-${i % p.namespaces}` }));
}

/**
 * Each service's workloads, half v1 and half v2. They all share the service account of
 * their service, so the control plane sees one group of identical sidecars per service
 * and version. Addresses and inbound ports are never dialled: nobody sends traffic here.
 */
export function meshWorkloads(p: MeshPlan): Workload[] {
  const out: Workload[] = [];
  for (const [s, svc] of meshServices(p).entries()) {
    for (let i = 0; i < p.workloadsPerService; i++) {
      const version = VERSIONS[i % VERSIONS.length]!;
      out.push({
        name: `${svc.name}-${version}-${Math.floor(i / VERSIONS.length)}`,
        namespace: svc.namespace,
        serviceAccount: svc.name,
        labels: { app: svc.name, version },
        service: { name: svc.name, ports: [{ port: SERVICE_PORT, name: "http" }] },
        address: "127.0.0.1",
        inboundPort: 20_000 + s * p.workloadsPerService + i,
      });
    }
  }
  return out;
}

function destinationRule(svc: MeshService, maxPending: number, extra = ""): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${svc.name}, namespace: ${svc.namespace}}
spec:
  host: ${svc.name}
  trafficPolicy:
    connectionPool:
      http: {http1MaxPendingRequests: ${maxPending}}${extra}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`;
}

function virtualService(svc: MeshService, v2Weight: number): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${svc.name}, namespace: ${svc.namespace}}
spec:
  hosts: [${svc.name}]
  http:
  - route:
    - {destination: {host: ${svc.name}, subset: v1}, weight: ${100 - v2Weight}}
    - {destination: {host: ${svc.name}, subset: v2}, weight: ${v2Weight}}
    timeout: 5s
    retries: {attempts: 2, perTryTimeout: 2s, retryOn: "5xx,connect-failure"}
`;
}

/** The config in force before the measured changes: every service routes 100% to v1. */
export function initialConfig(p: MeshPlan): string {
  return meshServices(p)
    .flatMap((svc) => [destinationRule(svc, 1024), virtualService(svc, 0)])
    .join("---\n");
}

/**
 * The measured changes, each touching one service (a different one each time): mostly
 * canary weight shifts and connection-pool edits, which change what every sidecar holds
 * for that service, and every fourth a client-side DestinationRule with a
 * workloadSelector (Istio 1.20+), which only the callers it selects see.
 */
export function meshChanges(p: MeshPlan): MeshChange[] {
  const services = meshServices(p);
  return Array.from({ length: p.changes }, (_, k) => {
    // A stride coprime with the service count visits a different service each time.
    const svc = services[(k * 7) % services.length]!;
    if (k % 4 === 3) {
      const caller = services[(k * 7 + 1) % services.length]!;
      const callerNs = caller.namespace;
      return {
        index: k,
        label: `client-side DestinationRule for ${svc.name} in ${callerNs}, selecting app=${caller.name}`,
        scope: "scoped",
        affects: (w) => w.namespace === callerNs && w.labels.app === caller.name,
        yaml: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${svc.name}-from-${caller.name}, namespace: ${callerNs}}
spec:
  host: ${svc.name}.${svc.namespace}.svc.cluster.local
  workloadSelector:
    matchLabels: {app: ${caller.name}}
  trafficPolicy:
    connectionPool:
      http: {http1MaxPendingRequests: ${64 + k}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`,
      };
    }
    if (k % 2 === 0) {
      const weight = 10 + ((k * 5) % 80);
      return { index: k, label: `VirtualService ${svc.namespace}/${svc.name}: v2 weight ${weight}%`, scope: "mesh-wide", affects: () => true, yaml: virtualService(svc, weight) };
    }
    return {
      index: k,
      label: `DestinationRule ${svc.namespace}/${svc.name}: connection pool and outlier detection`,
      scope: "mesh-wide",
      affects: () => true,
      yaml: destinationRule(svc, 256 + k, `\n    outlierDetection: {consecutive5xxErrors: ${3 + (k % 5)}, interval: 10s, baseEjectionTime: 30s}`),
    };
  });
}
