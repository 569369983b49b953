const LABEL_ANY_CASE = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

function numericTldError(name: string): string | undefined {
  const labels = name.split(".");
  const tld = labels[labels.length - 1]!;
  return /^[0-9]+$/.test(tld) ? `domain name "${name}" invalid (top level domain "${tld}" cannot be all-numeric)` : undefined;
}

/** Istio's ValidateDNS1123Labels; the name it reports is the part it was given. */
function dns1123LabelsError(name: string): string | undefined {
  const tldErr = numericTldError(name);
  if (tldErr) return tldErr;
  const labels = name.split(".");
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    // A trailing dot (an absolute name such as "istio.io.") leaves one empty label.
    if (i === labels.length - 1 && label === "") return undefined;
    if (label.length > 63 || !LABEL_ANY_CASE.test(label)) return `domain name "${name}" invalid (label "${label}" invalid)`;
  }
  return undefined;
}

// Istio's wildcard label: "*", or a DNS-1123 label optionally led by "*" or "*-".
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;

/**
 * Istio's ValidateWildcardDomain: a DNS name whose first label may be a wildcard. Like
 * Istio, an error after the first label names the rest of the domain ("ba!r" for
 * "foo.ba!r"), and an all-numeric top-level domain is rejected, so a bare IP address is
 * not a valid wildcard domain.
 */
export function wildcardHostError(host: string): string | undefined {
  if (host.length > 255) return `domain name "${host}" too long (max 255)`;
  if (host.length === 0) return "empty domain name not allowed";
  const dot = host.indexOf(".");
  const first = dot < 0 ? host : host.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) return `domain name "${host}" invalid (label "${first}" invalid)`;
  return dot < 0 ? undefined : dns1123LabelsError(host.slice(dot + 1));
}

/** Istio's ValidateFQDN: DNS-1123 labels throughout, no wildcard. */
export function fqdnError(name: string): string | undefined {
  if (name.length > 255) return `domain name "${name}" too long (max 255)`;
  if (name.length === 0) return "empty domain name not allowed";
  return dns1123LabelsError(name);
}

/**
 * Istio's ValidateWildcardDomainForVirtualServiceBoundToGateway: as above, except that an
 * SNI host may be one of Istio's generated `outbound_.<port>_.<subset>_.<host>` names.
 */
export function gatewayHostError(host: string, sni: boolean): string | undefined {
  if (host.length > 0 && host.length <= 255 && sni && host.split(".")[0] === "outbound_") {
    return /outbound_.([0-8].*).*/.test(host) ? undefined : `domain name "${host}" invalid (label "outbound_" invalid)`;
  }
  return wildcardHostError(host);
}

const isWildcarded = (h: string): boolean => h.startsWith("*");

/** Istio's host.Name.Matches: true if the two (possibly wildcard) hosts have any name in common. */
export function hostMatches(a: string, b: string): boolean {
  if (isWildcarded(a)) {
    if (isWildcarded(b)) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
    return b.endsWith(a.slice(1));
  }
  if (isWildcarded(b)) return a.endsWith(b.slice(1));
  return a === b;
}

/** Istio's host.Name.SubsetOf: true if every name `a` covers is covered by `b`. */
export function hostSubsetOf(a: string, b: string): boolean {
  if (isWildcarded(a)) return isWildcarded(b) && a.slice(1).endsWith(b.slice(1));
  if (isWildcarded(b)) return a.endsWith(b.slice(1));
  return a === b;
}
