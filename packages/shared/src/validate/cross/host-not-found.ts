import type { PathSegment } from "../../diagnostics.ts";
import { Code } from "../../model/codes.ts";
import type { LoadedResource } from "../load.ts";
import type { ConfigIndex } from "./config-index.ts";
import { finding, type CrossFinding } from "./finding.ts";
import { isIpHost, isWildcardHost } from "../../mesh/hosts.ts";
import { destinationsOf } from "./virtual-service-refs.ts";

/** A DestinationRule's host is at spec.host. */
const SPEC: PathSegment[] = ["spec"];

/**
 * SK2002 (Kiali KIA1101, KIA0202): a destination host or DestinationRule host that no
 * Service or ServiceEntry of the input defines. Only a warning: the input is often a few
 * files, and the service may well exist in the cluster.
 */
export function hostNotFound(index: ConfigIndex): CrossFinding[] {
  const out: CrossFinding[] = [];
  const check = (target: LoadedResource, written: string, namespace: string, base: PathSegment[], what: string) => {
    const host = index.resolve(written, namespace);
    if (isWildcardHost(host) || isIpHost(host) || index.knowsHost(host)) return;
    const named = host === written ? host : `"${written}" (${host})`;
    out.push(finding(target, [...base, "host"], "warning", Code.hostNotFound, `${what} host ${named} is not in the input: no Service or ServiceEntry defines it`));
  };
  for (const vs of index.virtualServices) {
    for (const d of destinationsOf(vs.spec)) check(vs.loaded, d.host, vs.namespace, d.path, "destination");
  }
  for (const dr of index.destinationRules) check(dr.loaded, dr.spec.host, dr.namespace, SPEC, "DestinationRule");
  return out;
}
