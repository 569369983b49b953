import { isIp } from "./common.ts";

// Istio's label grammar (pkg/config/labels) accepts upper case, unlike Kubernetes names.
const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
// A wildcard label is `*`, or a label led by `*` or `*-`; a lone `*bar` passes here and
// is rejected afterwards as a partial wildcard, which gives the user the clearer message.
const WILDCARD_LABEL = /^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;

function isLabel(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

/** Istio's ValidateDNS1123Labels: every label valid, a trailing dot allowed, TLD not all digits. */
function dns1123LabelsError(domain: string): string | undefined {
  const labels = domain.split(".");
  const tld = labels[labels.length - 1]!;
  if (/^[+-]?\d+$/.test(tld)) return `domain name "${domain}" invalid (top level domain "${tld}" cannot be all-numeric)`;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (i === labels.length - 1 && label === "") return undefined;
    if (!isLabel(label)) return `domain name "${domain}" invalid (label "${label}" invalid)`;
  }
  return undefined;
}

/**
 * Istio's ValidateWildcardDomain. The error names the remainder after the first label when
 * that is where the fault lies, as Istio does: "foo.*.bar.com" reports `"*.bar.com"`.
 */
function wildcardDomainError(domain: string): string | undefined {
  if (domain.length > 255) return `domain name "${domain}" too long (max 255)`;
  if (domain.length === 0) return "empty domain name not allowed";
  const dot = domain.indexOf(".");
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!(first.length <= 63 && WILDCARD_LABEL.test(first))) return `domain name "${domain}" invalid (label "${first}" invalid)`;
  return dot < 0 ? undefined : dns1123LabelsError(domain.slice(dot + 1));
}

/** The dnsName part of a gateway host: an FQDN, `*`, a leading-wildcard FQDN, or an IP. */
function dnsNameErrors(name: string): string[] {
  const errors: string[] = [];
  if (name !== "*" && !name.includes(".")) errors.push("short names (non FQDN) are not allowed");
  const domainError = wildcardDomainError(name);
  // Gateways may name an IP address where a host is expected.
  if (domainError && !isIp(name)) errors.push(domainError);
  if (name.includes("*") && name.length !== 1 && !name.startsWith("*.")) errors.push(`partial wildcard "${name}" not allowed`);
  return errors;
}

/**
 * Istio's ValidateNamespaceSlashWildcardHostname for a Gateway server host:
 * `[namespace/]dnsName`, where namespace is `*`, `.` or a DNS label. Returns every fault
 * Istio would report, in its order; an empty list means the host is valid.
 */
export function gatewayHostErrors(host: string): string[] {
  const slash = host.indexOf("/");
  if (slash < 0) return dnsNameErrors(host);
  const namespace = host.slice(0, slash);
  const dnsName = host.slice(slash + 1);
  const errors: string[] = [];
  if (namespace === "" || dnsName === "") errors.push("config namespace and dnsName in host entry cannot be empty");
  if (namespace !== "*" && namespace !== "." && !isLabel(namespace)) errors.push(`invalid namespace value "${namespace}" in gateway`);
  errors.push(...dnsNameErrors(dnsName));
  return errors;
}
