import { Code } from "../../model/codes.ts";
import { MESH_GATEWAY } from "../../model/gateway-names.ts";
import type { VirtualServiceSpec } from "../../model/virtual-service.ts";
import type { ConfigIndex, IstioObject } from "./config-index.ts";
import { finding, type CrossFinding } from "./finding.ts";
import { resolveGatewayName } from "./virtual-service-refs.ts";

type VirtualServiceObject = IstioObject<VirtualServiceSpec>;

interface Claim {
  vs: VirtualServiceObject;
  /** Index in spec.hosts. */
  at: number;
  host: string;
}

/**
 * SK2004 (Kiali KIA1106): several VirtualServices for one host on the same proxies. A
 * sidecar builds one virtual host per name and takes one VirtualService's routes (error);
 * a Gateway merges the routes of all of them in an order nobody chose (warning).
 */
export function duplicateVirtualServiceHost(index: ConfigIndex): CrossFinding[] {
  const claims = new Map<string, Claim[]>();
  for (const vs of index.virtualServices) {
    const gateways = vs.spec.gateways && vs.spec.gateways.length > 0 ? vs.spec.gateways : [MESH_GATEWAY];
    const bindings = new Set(gateways.map((g) => resolveGatewayName(g, vs.namespace) ?? MESH_GATEWAY));
    vs.spec.hosts?.forEach((written, at) => {
      const host = index.resolve(written, vs.namespace);
      for (const binding of bindings) {
        const key = `${binding}\0${host}`;
        const list = claims.get(key);
        const claim = { vs, at, host };
        if (list) list.push(claim);
        else claims.set(key, [claim]);
      }
    });
  }
  const out: CrossFinding[] = [];
  for (const [key, list] of claims) {
    const distinct = new Set(list.map((c) => c.vs)).size;
    if (distinct < 2) continue;
    const binding = key.slice(0, key.indexOf("\0"));
    const mesh = binding === MESH_GATEWAY;
    // Rules exported to disjoint namespaces never meet on one proxy; without exportTo
    // (the usual case) every pair meets, and the quadratic pairing is skipped.
    const everywhere = !mesh || list.every((c) => audience(c.vs) === "all");
    for (const claim of list) {
      const rivals = everywhere ? list : list.filter((c) => visibleTogether(c.vs, claim.vs));
      const names = namesOfOthers(rivals, claim.vs, everywhere ? distinct : new Set(rivals.map((c) => c.vs).concat(claim.vs)).size);
      if (names === undefined) continue;
      const path = ["spec", "hosts", claim.at];
      if (mesh) {
        out.push(
          finding(claim.vs.loaded, path, "error", Code.duplicateVirtualServiceHost, `host ${claim.host} is also routed for the mesh by VirtualService ${names}: a sidecar applies only one VirtualService per host, so the other's routes are ignored`),
        );
      } else {
        out.push(
          finding(claim.vs.loaded, path, "warning", Code.duplicateVirtualServiceHost, `host ${claim.host} on Gateway ${binding} is also routed by VirtualService ${names}: Istio merges their routes, in an order that is not guaranteed`),
        );
      }
    }
  }
  return out;
}

/**
 * "ns/a, ns/b" for the claims of other VirtualServices (at most three named), or undefined
 * if there are none; `distinct` counts the VirtualServices among `claims` and `self`.
 */
function namesOfOthers(claims: readonly Claim[], self: VirtualServiceObject, distinct: number): string | undefined {
  const names: string[] = [];
  const seen = new Set<VirtualServiceObject>([self]);
  for (const c of claims) {
    if (names.length === 3) break;
    if (seen.has(c.vs)) continue;
    seen.add(c.vs);
    names.push(`${c.vs.namespace}/${c.vs.name}`);
  }
  if (names.length === 0) return undefined;
  const more = distinct - 1 - names.length;
  return more > 0 ? `${names.join(", ")} and ${more} more` : names.join(", ");
}

/** Whether some namespace sees both VirtualServices (exportTo; none means everywhere). */
function visibleTogether(a: VirtualServiceObject, b: VirtualServiceObject): boolean {
  const sa = audience(a);
  const sb = audience(b);
  if (sa === "all") return sb === "all" || sb.size > 0;
  if (sb === "all") return sa.size > 0;
  for (const ns of sa) if (sb.has(ns)) return true;
  return false;
}

function audience(vs: VirtualServiceObject): "all" | Set<string> {
  const exportTo = vs.spec.exportTo;
  if (!exportTo || exportTo.length === 0 || exportTo.includes("*")) return "all";
  return new Set(exportTo.map((e) => (e === "." ? vs.namespace : e)));
}
