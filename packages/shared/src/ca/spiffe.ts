// SPIFFE IDs in Istio's shape: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>.
// Istio's AuthorizationPolicy names the same identity as a "principal", which is the ID
// without its scheme (cluster.local/ns/default/sa/reviews).
import { CaError } from "./crypto.ts";

/** The parts of a SPIFFE ID, as Istio's spiffe.Identity. */
export interface SpiffeIdentity {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

const scheme = "spiffe://";
// SPIFFE spec (standards/SPIFFE-ID.md): the trust domain is lower-case letters, digits,
// '.', '-' and '_'; path segments may also hold upper-case letters, and are never '.' or '..'.
const trustDomainRe = /^[a-z0-9._-]+$/;
const segmentRe = /^[A-Za-z0-9._-]+$/;
const maxTrustDomain = 255;
const maxIdLength = 2048;

function validSegment(s: string): boolean {
  return segmentRe.test(s) && s !== "." && s !== "..";
}

export function isTrustDomain(td: string): boolean {
  return td.length > 0 && td.length <= maxTrustDomain && trustDomainRe.test(td);
}

/** Builds the SPIFFE ID of a workload; throws on a part that would not parse back. */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  const id = `${scheme}${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
  if (!parseSpiffeId(id)) {
    throw new CaError(
      `invalid workload identity: trust domain "${trustDomain}", namespace "${namespace}", service account "${serviceAccount}"`,
    );
  }
  return id;
}

/**
 * Parses exactly spiffe://<td>/ns/<ns>/sa/<sa>: no port, user info, query, fragment,
 * percent-encoding, empty or dot segments, or trailing slash. Anything else is undefined,
 * because an identity that is read loosely can be spoofed.
 */
export function parseSpiffeId(uri: string): SpiffeIdentity | undefined {
  if (uri.length > maxIdLength || !uri.startsWith(scheme)) return undefined;
  const parts = uri.slice(scheme.length).split("/");
  if (parts.length !== 5) return undefined;
  const [trustDomain, ns, namespace, sa, serviceAccount] = parts as [string, string, string, string, string];
  if (!isTrustDomain(trustDomain) || ns !== "ns" || sa !== "sa") return undefined;
  if (!validSegment(namespace) || !validSegment(serviceAccount)) return undefined;
  return { trustDomain, namespace, serviceAccount };
}

/** spiffe://cluster.local/ns/default/sa/reviews → cluster.local/ns/default/sa/reviews */
export function principalFromSpiffeId(id: string): string | undefined {
  return parseSpiffeId(id) ? id.slice(scheme.length) : undefined;
}

/** cluster.local/ns/default/sa/reviews → spiffe://cluster.local/ns/default/sa/reviews */
export function spiffeIdFromPrincipal(principal: string): string | undefined {
  const id = scheme + principal;
  return parseSpiffeId(id) ? id : undefined;
}
