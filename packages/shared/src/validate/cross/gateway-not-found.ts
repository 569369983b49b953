import { Code } from "../../model/codes.ts";
import { labelOf, type ConfigIndex } from "./config-index.ts";
import { finding, type CrossFinding } from "./finding.ts";
import { gatewayRefsOf, resolveGatewayName } from "./virtual-service-refs.ts";

/**
 * SK2007 (Kiali KIA1102): a VirtualService bound to a Gateway that is not in the input.
 * Its routes then reach no gateway. A warning: the Gateway may live in the cluster.
 */
export function gatewayNotFound(index: ConfigIndex): CrossFinding[] {
  const out: CrossFinding[] = [];
  for (const vs of index.virtualServices) {
    for (const ref of gatewayRefsOf(vs.spec)) {
      const name = resolveGatewayName(ref.name, vs.namespace);
      if (name === undefined || index.gatewayByName.has(name)) continue;
      const written = name === ref.name ? "" : ` ("${ref.name}")`;
      out.push(finding(vs.loaded, ref.path, "warning", Code.gatewayNotFound, `${labelOf(vs)} is bound to Gateway ${name}${written}, which is not in the input`));
    }
  }
  return out;
}
