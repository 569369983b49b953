import { isIp } from "../model/common.ts";

/** Istio's default trust and DNS domain; Skein does not support another. */
export const CLUSTER_DOMAIN = "cluster.local";

/** Istio's default root namespace: mesh-wide policies live here. */
export const ROOT_NAMESPACE = "istio-system";

const KUBERNETES_HOST = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/;
/** Only these characters make up an IP address; most hosts fail this before isIp runs. */
const MAYBE_IP = /^[0-9a-f:.]+$/i;

/**
 * The fully qualified name a host in a resource of `namespace` stands for, as Istio's
 * ResolveShortnameToFQDN does: a short name "reviews" is reviews.<namespace>.svc.cluster.local.
 * Like Kiali's ParseHost we also expand "reviews.prod" (when prod is a namespace we know
 * of) and "reviews.prod.svc", the forms Kubernetes DNS resolves, because people write
 * them and mean the Service; Istio itself takes any dotted name as already qualified.
 */
export function resolveHost(host: string, namespace: string, isNamespace: (ns: string) => boolean): string {
  const h = (host.endsWith(".") ? host.slice(0, -1) : host).toLowerCase();
  // IPv6 addresses are the only hosts with a colon; IPv4 ones have four labels and stay as they are.
  if (h === "*" || h.includes(":")) return h;
  const first = h.indexOf(".");
  if (first < 0) return `${h}.${namespace}.svc.${CLUSTER_DOMAIN}`;
  const second = h.indexOf(".", first + 1);
  if (second < 0) return isNamespace(h.slice(first + 1)) ? `${h}.svc.${CLUSTER_DOMAIN}` : h;
  if (h.indexOf(".", second + 1) < 0 && h.endsWith(".svc")) return `${h}.${CLUSTER_DOMAIN}`;
  return h;
}

export function isWildcardHost(host: string): boolean {
  return host.startsWith("*");
}

export function isIpHost(host: string): boolean {
  return MAYBE_IP.test(host) && isIp(host);
}

/**
 * The keys under which a rule for `host` may be filed, most specific first: the host
 * itself, then every wildcard that covers it ("a.b.c" -> "*.b.c", "*.c", "*"). Looking
 * these up in a map keyed by host is Istio's MostSpecificHostMatch without a scan.
 */
export function hostLookupKeys(host: string): string[] {
  const keys = [host];
  if (host === "*") return keys;
  let rest = isWildcardHost(host) ? host.slice(2) : host;
  for (;;) {
    const dot = rest.indexOf(".");
    if (dot < 0) break;
    rest = rest.slice(dot + 1);
    keys.push(`*.${rest}`);
  }
  keys.push("*");
  return keys;
}

/** The namespace of a Kubernetes service host (name.ns.svc.cluster.local), if it is one. */
export function namespaceOfHost(host: string): string | undefined {
  return KUBERNETES_HOST.exec(host)?.[2];
}

/**
 * The namespace a wildcard host is confined to ("*.prod.svc.cluster.local" -> "prod"),
 * "*" when it spans every namespace ("*", "*.local", "*.svc.cluster.local"), or undefined
 * when it names no in-mesh service (an external domain).
 */
export function namespaceScopeOfWildcard(host: string): string | undefined {
  if (host === "*" || host === "*.local" || host === "*.cluster.local" || host === "*.svc.cluster.local") return "*";
  const m = /^\*\.([^.]+)\.svc\.cluster\.local$/.exec(host);
  return m?.[1];
}
