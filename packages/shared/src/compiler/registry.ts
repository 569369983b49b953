import type { Workload } from "../api/control-plane.ts";
import type { Resource } from "../model/resource.ts";
import type { ServiceEntrySpec } from "../model/service-entry.ts";
import { parseProtocol } from "../model/service-port.ts";
import type { Cluster } from "./snapshot.ts";

/**
 * The service registry the compiler works from: which services exist, on which ports,
 * and which endpoints serve them. The control plane fills it from registered workloads;
 * a standalone proxy fills it from ServiceEntries.
 */
export interface ServiceRegistry {
  services: RegistryService[];
}

export interface RegistryPort {
  number: number;
  name: string;
  protocol: Cluster["protocol"];
  /** Port the endpoints listen on, when it differs from the service port. */
  targetPort?: number;
}

export interface RegistryEndpoint {
  address: string;
  /** Endpoint port by service port name; absent names use the service's target port. */
  ports: Record<string, number>;
  labels: Record<string, string>;
  workload?: string;
  namespace?: string;
  serviceAccount?: string;
  /** True when a Skein sidecar fronts this endpoint, so auto mTLS may use ISTIO_MUTUAL. */
  sidecar: boolean;
  weight: number;
}

export interface RegistryService {
  /** Fully qualified host, e.g. reviews.default.svc.cluster.local or api.example.com. */
  host: string;
  name: string;
  namespace: string;
  ports: RegistryPort[];
  endpoints: RegistryEndpoint[];
  /** Workload labels the service selects (Kubernetes Service selector / ServiceEntry workloadSelector). */
  selector?: Record<string, string>;
  /** MESH_EXTERNAL services never get auto mTLS. */
  external: boolean;
}

/**
 * Istio's protocol selection: an explicit protocol, else the port name's prefix
 * (`http-web`, `grpc`, `tcp-db`), else sniffing, which Skein resolves to HTTP.
 * https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export function protocolOf(name: string | undefined, explicit: string | undefined): Cluster["protocol"] {
  const fromName = name ? parseProtocol(name.split("-")[0]!) : undefined;
  const p = (explicit ? parseProtocol(explicit) : undefined) ?? fromName;
  switch (p) {
    case "GRPC":
    case "GRPC-Web":
      return "grpc";
    case "HTTP2":
      return "http2";
    case "TCP":
    case "TLS":
    case "HTTPS":
    case "Mongo":
    case "Redis":
    case "MySQL":
    case "UDP":
      return "tcp";
    default:
      return "http";
  }
}

/**
 * Builds a registry from ServiceEntries with STATIC resolution: the way a standalone
 * `skein proxy --config` learns about services without a control plane.
 */
export function registryFromServiceEntries(entries: readonly Resource<ServiceEntrySpec>[]): ServiceRegistry {
  const services: RegistryService[] = [];
  for (const se of entries) {
    const spec = se.spec;
    const ports: RegistryPort[] = (spec.ports ?? []).map((p) => ({
      number: p.number,
      name: p.name,
      protocol: protocolOf(p.name, p.protocol),
      ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
    }));
    const endpoints: RegistryEndpoint[] = (spec.endpoints ?? [])
      .filter((e) => e.address !== undefined && !e.address.startsWith("unix://"))
      .map((e) => ({
        address: e.address!,
        ports: e.ports ?? {},
        labels: e.labels ?? {},
        ...(e.serviceAccount !== undefined ? { serviceAccount: e.serviceAccount, namespace: se.metadata.namespace } : {}),
        ...(e.labels?.app !== undefined ? { workload: e.labels.app } : {}),
        // An endpoint that names a service account is a mesh workload with a sidecar.
        sidecar: e.serviceAccount !== undefined,
        weight: e.weight ?? 1,
      }));
    for (const host of spec.hosts) {
      const short = host.split(".")[0]!;
      services.push({
        host,
        name: short,
        namespace: se.metadata.namespace,
        ports,
        endpoints,
        ...(spec.workloadSelector?.labels ? { selector: spec.workloadSelector.labels } : {}),
        external: spec.location !== "MESH_INTERNAL",
      });
    }
  }
  return { services };
}

/**
 * The registry the control plane compiles from, out of its registered workloads. Workloads
 * that name the same service in one namespace are its endpoints, reached at their sidecar's
 * inbound listener (which forwards to the app whatever the service port), so every port
 * name maps to it. The console's route tester builds the same registry from the same list.
 */
export function registryFromWorkloads(workloads: readonly Workload[], clusterDomain = "cluster.local"): ServiceRegistry {
  const groups = new Map<string, Workload[]>();
  // Ordered as the control plane lists them (by `namespace/name`, code-unit order): the first member names shared ports.
  const key = (w: Workload) => `${w.namespace}/${w.name}`;
  const ordered = [...workloads].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  for (const w of ordered) {
    if (!w.service) continue;
    const service = `${w.namespace}/${w.service.name}`;
    const list = groups.get(service);
    if (list) list.push(w);
    else groups.set(service, [w]);
  }
  const services: RegistryService[] = [];
  for (const [, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const first = members[0]!;
    const svc = first.service!;
    const ports = servicePorts(members);
    services.push({
      host: `${svc.name}.${first.namespace}.svc.${clusterDomain}`,
      name: svc.name,
      namespace: first.namespace,
      ports,
      endpoints: members.map((w) => endpointOf(w, ports)),
      selector: sharedLabels(members),
      external: false,
    });
  }
  return { services };
}

/** The union of the members' ports by number; the first workload (by name) to declare one names it. */
function servicePorts(members: readonly Workload[]): RegistryPort[] {
  const byNumber = new Map<number, RegistryPort>();
  for (const w of members) {
    for (const p of w.service!.ports) {
      if (byNumber.has(p.port)) continue;
      byNumber.set(p.port, { number: p.port, name: p.name, protocol: protocolOf(p.name, p.protocol), ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}) });
    }
  }
  return [...byNumber.values()].sort((a, b) => a.number - b.number);
}

/**
 * A workload with a sidecar inbound listener is reached there (auto mTLS applies); one
 * without (a client-only sidecar that still names a service) is reached at the app's
 * own port, in plaintext.
 */
function endpointOf(w: Workload, ports: readonly RegistryPort[]): RegistryEndpoint {
  const viaSidecar = w.inboundPort !== undefined;
  return {
    address: w.address,
    ports: viaSidecar ? Object.fromEntries(ports.map((p) => [p.name, w.inboundPort!])) : {},
    labels: w.labels,
    workload: w.name,
    namespace: w.namespace,
    serviceAccount: w.serviceAccount,
    sidecar: viaSidecar,
    weight: 1,
  };
}

/**
 * The Service's selector: the labels every member carries (usually `app`). It is what
 * Kubernetes would select them by, and it tells the compiler which ports a workload serves.
 */
function sharedLabels(members: readonly Workload[]): Record<string, string> {
  const [first, ...rest] = members;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first!.labels)) if (rest.every((w) => w.labels[k] === v)) out[k] = v;
  return out;
}
