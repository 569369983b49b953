import { isIp } from "./common.ts";
import { isIstioDns1123Label } from "./dns-label.ts";
import { wildcardHostError } from "./host-name.ts";

/** The dnsName part of a gateway host: an FQDN, `*`, a leading-wildcard FQDN, or an IP. */
function dnsNameErrors(name: string): string[] {
  const errors: string[] = [];
  if (name !== "*" && !name.includes(".")) errors.push("short names (non FQDN) are not allowed");
  const domainError = wildcardHostError(name);
  // Gateways may name an IP address where a host is expected.
  if (domainError && !isIp(name)) errors.push(domainError);
  // The wildcard label grammar lets "*bar" through; Istio rejects it here with a clearer message.
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
  if (namespace !== "*" && namespace !== "." && !isIstioDns1123Label(namespace)) errors.push(`invalid namespace value "${namespace}" in gateway`);
  errors.push(...dnsNameErrors(dnsName));
  return errors;
}
