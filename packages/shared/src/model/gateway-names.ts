import * as z from "zod";
import { Code } from "./codes.ts";
import { isDns1123Label, report } from "./common.ts";
import { fqdnError } from "./host-name.ts";

/** The reserved gateway name that means "every sidecar in the mesh". */
export const MESH_GATEWAY = "mesh";

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
