import * as z from "zod";
import { Code } from "./codes.ts";
import { isIp, labels, obj, portNumber, report, uint32 } from "./common.ts";
import { fqdnError } from "./host-name.ts";
import { portNameError } from "./service-port.ts";

export const UNIX_ADDRESS_PREFIX = "unix://";

/** Istio's ValidateUnixAddress: an absolute file path, or an abstract socket name starting with "@". */
export function unixAddressError(address: string): string | undefined {
  const path = address.slice(UNIX_ADDRESS_PREFIX.length);
  if (path === "") return "unix address must not be empty";
  if (path.startsWith("@")) return undefined;
  if (!path.startsWith("/") || path.endsWith("/")) return `${path} is not an absolute path to a file`;
  return undefined;
}

/**
 * Istio's `WorkloadEntry`: one VM or bare-metal endpoint, standalone or inside a
 * ServiceEntry. The address may be an IP, a unix socket, or (for DNS resolution) a
 * hostname; which of these a ServiceEntry accepts depends on its resolution and is checked
 * there.
 */
export const workloadEntry = obj({
  address: z.string().max(256).optional(),
  ports: z.record(z.string(), portNumber).optional(),
  labels: labels.optional(),
  network: z.string().max(2048).optional(),
  locality: z.string().max(2048).optional(),
  weight: uint32.optional(),
  serviceAccount: z.string().max(253).optional(),
}).superRefine((we, ctx) => {
  const address = we.address ?? "";
  if (address === "") {
    // Without an address the endpoint is reached through its network's gateway.
    if (!we.network) report(ctx, Code.requiredField, "address is required (or a network whose gateway reaches this endpoint)", ["address"]);
  } else if (address.startsWith(UNIX_ADDRESS_PREFIX)) {
    const err = unixAddressError(address);
    if (err) report(ctx, Code.invalidAddress, err, ["address"]);
    if (we.ports && Object.keys(we.ports).length > 0) {
      report(ctx, Code.invalidPort, `unix endpoint ${address} must not include ports`, ["ports"]);
    }
  } else if (!isIp(address) && fqdnError(address)) {
    report(ctx, Code.invalidAddress, `endpoint address "${address}" is not a valid FQDN or an IP address`, ["address"]);
  }
  for (const name of Object.keys(we.ports ?? {})) {
    const err = portNameError(name);
    if (err) report(ctx, Code.invalidName, err, ["ports", name]);
  }
});

export type WorkloadEntry = z.infer<typeof workloadEntry>;
