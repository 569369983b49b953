import * as z from "zod";
import { Code } from "./codes.ts";
import { isIp, matchLabels, obj, oneOf, report } from "./common.ts";
import { exportToList, exportToNamespaceErrors } from "./export-to.ts";
import { fqdnError, wildcardHostError } from "./host-name.ts";
import { istioResource } from "./resource.ts";
import { isHttpProtocol, isTlsProtocol, servicePort } from "./service-port.ts";
import { UNIX_ADDRESS_PREFIX, workloadEntry } from "./workload-entry.ts";

export const SERVICE_ENTRY_RESOLUTIONS = ["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"] as const;

/** networking.v1alpha3.WorkloadSelector: plain `labels`, unlike the `matchLabels` of security and DestinationRule selectors. */
const serviceEntryWorkloadSelector = obj({ labels: matchLabels.optional() });

/** Istio's ValidateIPSubnet: an IP, or a CIDR block whose host bits may be set. */
function addressError(address: string): string | undefined {
  const slash = address.indexOf("/");
  if (slash < 0) return isIp(address) ? undefined : `${address} is not a valid IP`;
  const ip = address.slice(0, slash);
  const bits = address.slice(slash + 1);
  const max = ip.includes(":") ? 128 : 32;
  if (!isIp(ip) || !/^\d{1,3}$/.test(bits) || Number(bits) > max) return `${address} is not a valid CIDR block`;
  return undefined;
}

type Ctx = z.RefinementCtx;
type Spec = z.infer<typeof serviceEntryShape>;

const serviceEntryShape = obj({
  hosts: z.array(z.string()).max(256),
  addresses: z.array(z.string().max(64)).max(256).optional(),
  ports: z.array(servicePort).max(256).optional(),
  location: oneOf(["MESH_EXTERNAL", "MESH_INTERNAL"]).optional(),
  resolution: oneOf(SERVICE_ENTRY_RESOLUTIONS).optional(),
  endpoints: z.array(workloadEntry).max(4096).optional(),
  workloadSelector: serviceEntryWorkloadSelector.optional(),
  exportTo: exportToList({ serviceEntry: true }).optional(),
  subjectAltNames: z.array(z.string()).optional(),
});

function checkHosts(se: Spec, ctx: Ctx): void {
  if (se.hosts.length === 0) report(ctx, Code.requiredField, "service entry must have at least one host", ["hosts"]);
  se.hosts.forEach((host, i) => {
    // A bare "*" would capture all outbound traffic on these ports, so Istio rejects it outright.
    const err = host === "*" ? `hostname cannot be wildcard: invalid host ${host}` : wildcardHostError(host);
    if (err) report(ctx, Code.invalidHost, err, ["hosts", i]);
  });
}

function checkAddresses(se: Spec, ctx: Ctx): void {
  const addresses = se.addresses ?? [];
  addresses.forEach((a, i) => {
    const err = addressError(a);
    if (err) report(ctx, Code.invalidAddress, err, ["addresses", i]);
  });
  const cidr = addresses.findIndex((a) => a.includes("/"));
  const resolution = se.resolution ?? "NONE";
  if (cidr >= 0 && resolution !== "NONE" && resolution !== "STATIC") {
    report(ctx, Code.invalidAddress, `CIDR addresses are allowed only for NONE/STATIC resolution types (resolution is ${resolution})`, ["addresses", cidr]);
  }
}

function checkPorts(se: Spec, ctx: Ctx): void {
  const names = new Set<string>();
  const numbers = new Set<number>();
  (se.ports ?? []).forEach((p, i) => {
    if (names.has(p.name)) report(ctx, Code.duplicateValue, `duplicate port name "${p.name}": service entry port name "${p.name}" already defined`, ["ports", i, "name"]);
    if (numbers.has(p.number)) report(ctx, Code.duplicateValue, `port number cannot be duplicated: service entry port ${p.number} already defined`, ["ports", i, "number"]);
    names.add(p.name);
    numbers.add(p.number);
  });
}

/** Which endpoints a resolution mode accepts: none for NONE, IPs (or unix sockets) for STATIC, IPs or FQDNs for DNS. */
function checkEndpoints(se: Spec, ctx: Ctx): void {
  const resolution = se.resolution ?? "NONE";
  const endpoints = se.endpoints ?? [];
  if (resolution === "NONE") {
    if (se.endpoints !== undefined) report(ctx, Code.invalidValue, "NONE mode cannot set endpoints (no endpoints should be provided for resolution type none)", ["endpoints"]);
    return;
  }
  if (resolution === "DNS_ROUND_ROBIN" && endpoints.length > 1) {
    report(ctx, Code.invalidValue, `DNS_ROUND_ROBIN mode cannot have multiple endpoints (found ${endpoints.length})`, ["endpoints", 1]);
  }
  if ((resolution === "DNS" || resolution === "DNS_ROUND_ROBIN") && endpoints.length === 0) {
    se.hosts.forEach((host, i) => {
      if (host !== "*" && !wildcardHostError(host) && fqdnError(host)) {
        report(ctx, Code.invalidHost, `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}`, ["hosts", i]);
      }
    });
  }
  if (resolution === "DYNAMIC_DNS") return; // endpoints are ignored: the proxy resolves the request's own host
  const portNames = new Set((se.ports ?? []).map((p) => p.name));
  endpoints.forEach((ep, i) => {
    const address = ep.address ?? "";
    const unix = address.startsWith(UNIX_ADDRESS_PREFIX);
    // The endpoint's own schema already rejects what is neither IP, FQDN nor unix socket.
    if (resolution === "STATIC" && address !== "" && !unix && !isIp(address) && !fqdnError(address)) {
      report(ctx, Code.invalidAddress, `endpoint address "${address}" is not a valid IP address (STATIC resolution needs IPs; use DNS for hostnames)`, ["endpoints", i, "address"]);
    }
    if (resolution === "STATIC" && unix && portNames.size !== 1) {
      report(ctx, Code.invalidPort, "exactly 1 service port required for unix endpoints", ["endpoints", i, "address"]);
    }
    for (const [name, number] of Object.entries(ep.ports ?? {})) {
      if (!portNames.has(name)) {
        report(ctx, Code.invalidPort, `endpoint port ${number} is not defined by the service entry (no port named "${name}")`, ["endpoints", i, "ports", name]);
      }
    }
  });
}

function checkDynamicDns(se: Spec, ctx: Ctx): void {
  if (se.resolution !== "DYNAMIC_DNS") return;
  se.hosts.forEach((host, i) => {
    if (!host.startsWith("*.")) report(ctx, Code.invalidHost, `DYNAMIC_DNS resolution must be used with wildcard hosts such as "*.example.com", got "${host}"`, ["hosts", i]);
  });
  if (se.location === "MESH_INTERNAL") report(ctx, Code.invalidValue, "DYNAMIC_DNS resolution is only supported for MESH_EXTERNAL service entries", ["location"]);
}

/**
 * Plain TCP carries no Host header or SNI, so a proxy could not tell several hosts apart on
 * one port; only NONE resolution, which ignores hosts, may mix them.
 */
function checkMultipleHosts(se: Spec, ctx: Ctx): void {
  if ((se.resolution ?? "NONE") === "NONE" || se.hosts.length < 2) return;
  const opaque = (se.ports ?? []).findIndex((p) => !isHttpProtocol(p.protocol) && !isTlsProtocol(p.protocol));
  if (opaque >= 0) report(ctx, Code.invalidValue, "multiple hosts provided with non-HTTP, non-TLS ports", ["ports", opaque, "protocol"]);
}

export const serviceEntrySpec = serviceEntryShape.superRefine((se, ctx) => {
  if (se.workloadSelector !== undefined && se.endpoints !== undefined) {
    report(ctx, Code.mutuallyExclusive, "only one of WorkloadSelector or Endpoints can be set", ["workloadSelector"]);
  }
  checkHosts(se, ctx);
  checkAddresses(se, ctx);
  checkPorts(se, ctx);
  checkEndpoints(se, ctx);
  checkDynamicDns(se, ctx);
  checkMultipleHosts(se, ctx);
});

export type ServiceEntrySpec = z.infer<typeof serviceEntrySpec>;

export const serviceEntry = istioResource(serviceEntrySpec).superRefine((se, ctx) => {
  const namespace = se.metadata.namespace;
  if (namespace === undefined) return;
  for (const e of exportToNamespaceErrors(se.spec.exportTo ?? [], namespace)) report(ctx, Code.duplicateValue, e.message, ["spec", "exportTo", e.index]);
});
