import * as z from "zod";
import { Code } from "./codes.ts";
import { isDns1123Label, report } from "./common.ts";

/** The reserved gateway name that means "every sidecar in the mesh". */
export const MESH_GATEWAY = "mesh";

const LABEL_ANY_CASE = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

/** Istio's ValidateFQDN: DNS-1123 labels, a trailing dot allowed, no all-numeric top-level domain. */
export function fqdnError(name: string): string | undefined {
  if (name.length > 255) return `domain name "${name}" too long (max 255)`;
  if (name.length === 0) return "empty domain name not allowed";
  const labels = name.split(".");
  const tld = labels[labels.length - 1]!;
  if (/^[0-9]+$/.test(tld)) return `domain name "${name}" invalid (top level domain "${tld}" cannot be all-numeric)`;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (i === labels.length - 1 && label === "" && i > 0) break;
    if (label.length > 63 || !LABEL_ANY_CASE.test(label)) return `domain name "${name}" invalid (label "${label}" invalid)`;
  }
  return undefined;
}

/**
 * Istio's validateGatewayNames for one reference: `<namespace>/<name>`, or a bare name
 * (an FQDN such as `mesh`, `my-gateway` or the legacy `name.namespace.svc.cluster.local`).
 */
export function gatewayNameErrors(ref: string): string[] {
  const slash = ref.indexOf("/");
  if (slash < 0) {
    const err = fqdnError(ref);
    return err ? [err] : [];
  }
  const namespace = ref.slice(0, slash);
  const name = ref.slice(slash + 1);
  const errors: string[] = [];
  if (namespace === "" || name === "") errors.push("config namespace and gateway name cannot be empty");
  if (!isDns1123Label(namespace)) errors.push(`invalid value for namespace: "${namespace}"`);
  if (!isDns1123Label(name)) errors.push(`invalid value for gateway name: "${name}"`);
  return errors;
}

/** A list of gateway references, each checked where it stands. */
export const gatewayNames = z.array(z.string()).superRefine((refs, ctx) => {
  refs.forEach((ref, i) => {
    for (const message of gatewayNameErrors(ref)) report(ctx, Code.invalidName, message, [i]);
  });
});
