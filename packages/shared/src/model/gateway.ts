import * as z from "zod";
import { Code } from "./codes.ts";
import { isDns1123Label, isDns1123Subdomain, obj, report } from "./common.ts";
import { gatewayServer } from "./gateway-server.ts";
import { istioResource } from "./resource.ts";

/**
 * Istio's Gateway (networking.istio.io v1, v1beta1, v1alpha3): the listeners an ingress
 * or egress gateway workload opens, picked by `selector` labels.
 */
export const gatewaySpec = obj({
  // Istio matches these labels as given and checks nothing about them.
  selector: z.record(z.string(), z.string()).optional(),
  servers: z.array(gatewayServer).optional(),
}).superRefine((spec, ctx) => {
  if (!spec.servers || spec.servers.length === 0) {
    report(ctx, Code.requiredField, "gateway must have at least one server", ["servers"]);
    return;
  }
  // Port names name the listeners; Envoy needs them unique per gateway.
  const seen = new Set<string>();
  spec.servers.forEach((server, i) => {
    const name = server.port.name;
    if (!name) return;
    if (seen.has(name)) {
      report(ctx, Code.duplicateValue, `port names in servers must be unique: duplicate name ${name}`, ["servers", i, "port", "name"]);
    }
    seen.add(name);
  });
});

export type GatewaySpec = z.infer<typeof gatewaySpec>;

export const gateway = istioResource(gatewaySpec).superRefine((gw, ctx) => {
  // Virtual services refer to a gateway as `namespace/name`, so Istio forbids dots in the
  // name; names that are not even subdomains are reported by the metadata schema.
  const name = gw.metadata.name;
  if (isDns1123Subdomain(name) && !isDns1123Label(name)) {
    report(ctx, Code.invalidName, `invalid gateway name: "${name}" (must be a DNS-1123 label: no dots)`, ["metadata", "name"]);
  }
});
