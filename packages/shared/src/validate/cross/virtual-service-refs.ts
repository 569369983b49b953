import type { PathSegment } from "../../diagnostics.ts";
import { MESH_GATEWAY } from "../../model/gateway-names.ts";
import type { VirtualServiceSpec } from "../../model/virtual-service.ts";

/** A destination a VirtualService sends (or mirrors) traffic to, and where it is written. */
export interface DestinationRef {
  host: string;
  subset?: string | undefined;
  /** Path of the Destination object, e.g. spec.http[0].route[1].destination. */
  path: PathSegment[];
}

/** Every route and mirror destination of a VirtualService, in document order. */
export function destinationsOf(spec: VirtualServiceSpec): DestinationRef[] {
  const out: DestinationRef[] = [];
  const add = (d: { host: string; subset?: string | undefined } | undefined, path: PathSegment[]) => {
    if (d) out.push({ host: d.host, subset: d.subset, path });
  };
  spec.http?.forEach((r, i) => {
    r.route?.forEach((rd, j) => add(rd.destination, ["spec", "http", i, "route", j, "destination"]));
    add(r.mirror, ["spec", "http", i, "mirror"]);
    r.mirrors?.forEach((m, j) => add(m.destination, ["spec", "http", i, "mirrors", j, "destination"]));
  });
  spec.tcp?.forEach((r, i) => r.route?.forEach((rd, j) => add(rd.destination, ["spec", "tcp", i, "route", j, "destination"])));
  spec.tls?.forEach((r, i) => r.route?.forEach((rd, j) => add(rd.destination, ["spec", "tls", i, "route", j, "destination"])));
  return out;
}

/** Every gateway reference of a VirtualService: spec.gateways and the per-match ones. */
export function gatewayRefsOf(spec: VirtualServiceSpec): { name: string; path: PathSegment[] }[] {
  const out: { name: string; path: PathSegment[] }[] = [];
  spec.gateways?.forEach((name, i) => out.push({ name, path: ["spec", "gateways", i] }));
  for (const kind of ["http", "tcp", "tls"] as const) {
    spec[kind]?.forEach((r, i) =>
      r.match?.forEach((m, j) => m.gateways?.forEach((name, k) => out.push({ name, path: ["spec", kind, i, "match", j, "gateways", k] }))),
    );
  }
  return out;
}

/**
 * The "namespace/name" of the Gateway a reference names, as Istio's resolveGatewayName
 * reads it: "ns/name", a bare "name" in the VirtualService's namespace, or the legacy
 * "name.ns.svc.cluster.local". Undefined for "mesh", which is the sidecars, not a Gateway.
 */
export function resolveGatewayName(ref: string, namespace: string): string | undefined {
  if (ref === MESH_GATEWAY) return undefined;
  if (ref.includes("/")) return ref;
  const dot = ref.indexOf(".");
  if (dot < 0) return `${namespace}/${ref}`;
  const [name, ns] = ref.split(".");
  return `${ns}/${name}`;
}
