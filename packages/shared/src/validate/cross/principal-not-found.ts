import type { PathSegment } from "../../diagnostics.ts";
import { Code } from "../../model/codes.ts";
import type { AuthorizationSource } from "../../model/authorization-rule.ts";
import { didYouMean } from "../../model/common.ts";
import type { ConfigIndex } from "./config-index.ts";
import { finding, type CrossFinding } from "./finding.ts";

/** A SPIFFE identity as Istio issues it: <trust domain>/ns/<namespace>/sa/<service account>. */
const PRINCIPAL = /^(?:spiffe:\/\/)?[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/;

/**
 * SK2006 (Kiali KIA0106) and SK2010 (Kiali KIA0101): an AuthorizationPolicy source names a
 * service account or namespace the input does not contain. The rule then matches nobody,
 * typically because of a typo. Warnings: the account may exist in the cluster. Values
 * with "*" are patterns and are not checked.
 */
export function principalNotFound(index: ConfigIndex): CrossFinding[] {
  const out: CrossFinding[] = [];
  const namespaces = [...index.namespaces];
  for (const ap of index.authorizationPolicies) {
    ap.spec.rules?.forEach((rule, i) => {
      rule.from?.forEach((from, j) => {
        const src = from.source;
        if (!src) return;
        const at = (field: keyof AuthorizationSource, k: number): PathSegment[] => ["spec", "rules", i, "from", j, "source", field, k];
        for (const field of ["principals", "notPrincipals"] as const) {
          src[field]?.forEach((p, k) => {
            const m = p.includes("*") ? null : PRINCIPAL.exec(p);
            if (!m) return;
            const account = `${m[1]}/${m[2]}`;
            if (index.serviceAccounts.has(account)) return;
            out.push(finding(ap.loaded, at(field, k), "warning", Code.principalNotFound, `principal "${p}" names service account ${account}, which is not in the input (no ServiceAccount or workload running as it)`));
          });
        }
        for (const field of ["serviceAccounts", "notServiceAccounts"] as const) {
          src[field]?.forEach((sa, k) => {
            if (sa.includes("*")) return;
            const account = sa.includes("/") ? sa : `${ap.namespace}/${sa}`;
            if (index.serviceAccounts.has(account)) return;
            out.push(finding(ap.loaded, at(field, k), "warning", Code.principalNotFound, `service account ${account} is not in the input (no ServiceAccount or workload running as it)`));
          });
        }
        for (const field of ["namespaces", "notNamespaces"] as const) {
          src[field]?.forEach((ns, k) => {
            if (ns.includes("*") || index.namespaces.has(ns)) return;
            out.push(finding(ap.loaded, at(field, k), "warning", Code.namespaceNotFound, `namespace "${ns}" is not in the input: no Namespace and no resource in it${didYouMean(ns, namespaces)}`));
          });
        }
      });
    });
  }
  return out;
}
