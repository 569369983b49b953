import * as z from "zod";
import { Code } from "./codes.ts";
import { isIp, obj, oneOf, portNumber, portSelector, report } from "./common.ts";
import { clientTlsSettings } from "./client-tls-settings.ts";
import { connectionPoolSettings } from "./connection-pool.ts";
import { fqdnError } from "./host-name.ts";
import { loadBalancerSettings } from "./load-balancer.ts";
import { outlierDetection } from "./outlier-detection.ts";

/** Settings that apply to one port of the destination, replacing (not merging with) the policy's own. */
export const portTrafficPolicy = obj({
  port: portSelector.optional(),
  loadBalancer: loadBalancerSettings.optional(),
  connectionPool: connectionPoolSettings.optional(),
  outlierDetection: outlierDetection.optional(),
  tls: clientTlsSettings.optional(),
}).superRefine((p, ctx) => {
  if (p.port?.number === undefined) report(ctx, Code.requiredField, "portTrafficPolicy must have valid port (port.number)", ["port"]);
  if (!p.loadBalancer && !p.connectionPool && !p.outlierDetection && !p.tls) {
    report(ctx, Code.emptyValue, "port traffic policy must have at least one field");
  }
});

/** Tunnels the downstream TCP connection to targetHost:targetPort over HTTP CONNECT or POST. */
export const tunnelSettings = obj({
  protocol: z
    .string()
    .superRefine((p, ctx) => {
      if (p !== "" && p !== "CONNECT" && p !== "POST") report(ctx, Code.unknownEnumValue, `tunnel protocol must be "CONNECT" or "POST", got "${p}"`);
    })
    .optional(),
  targetHost: z.string().superRefine((host, ctx) => {
    if (isIp(host)) return;
    const err = fqdnError(host);
    if (err) report(ctx, Code.invalidHost, `tunnel target host must be valid FQDN or IP address: ${err}`);
  }),
  targetPort: portNumber,
});

/** The PROXY protocol header sent to the upstream. */
export const proxyProtocol = obj({
  version: oneOf(["V1", "V2"]).optional(),
});

/** Istio's `TrafficPolicy`: load balancing, connection pool, outlier detection and TLS for a destination. */
export const trafficPolicy = obj({
  loadBalancer: loadBalancerSettings.optional(),
  connectionPool: connectionPoolSettings.optional(),
  outlierDetection: outlierDetection.optional(),
  tls: clientTlsSettings.optional(),
  portLevelSettings: z.array(portTrafficPolicy).max(4096).optional(),
  tunnel: tunnelSettings.optional(),
  proxyProtocol: proxyProtocol.optional(),
}).superRefine((tp, ctx) => {
  // An empty list decodes to nothing in Istio's Go types, so it does not count as a field either.
  const present = Object.entries(tp).some(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0));
  if (!present) {
    report(ctx, Code.emptyValue, "traffic policy must have at least one field (loadBalancer, connectionPool, outlierDetection, tls, portLevelSettings, tunnel or proxyProtocol)");
  }
  if (tp.tunnel && tp.proxyProtocol) {
    report(ctx, Code.mutuallyExclusive, "tunnel and proxyProtocol must not be set together", ["proxyProtocol"]);
  }
});

export type TrafficPolicy = z.infer<typeof trafficPolicy>;
