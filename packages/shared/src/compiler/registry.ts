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
