import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, oneOf, report, workloadSelector } from "./common.ts";
import { istioResource } from "./resource.ts";

export const MTLS_MODES = ["UNSET", "DISABLE", "PERMISSIVE", "STRICT"] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];

/** PeerAuthentication.MutualTLS: UNSET inherits the mode of the parent scope. */
export const mutualTls = obj({ mode: oneOf(MTLS_MODES).optional() });

/**
 * Port-level modes, keyed by the workload's port number. YAML gives the keys as strings,
 * so the number is checked here, with the messages of Istio's CRD and webhook.
 */
const portLevelMtls = z.record(z.string(), mutualTls).superRefine((ports, ctx) => {
  const keys = Object.keys(ports);
  if (keys.length === 0) {
    report(ctx, Code.emptyValue, "portLevelMtls must have at least one entry when set (remove it to use the workload-wide mode)");
  }
  for (const key of keys) {
    if (!/^\d+$/.test(key)) {
      report(ctx, Code.invalidPort, `port "${key}" is not a number: portLevelMtls keys are port numbers`, [key]);
      continue;
    }
    const port = Number(key);
    if (port < 1 || port > 65535) report(ctx, Code.invalidPort, `port number ${port} must be in the range 1..65535`, [key]);
  }
});

/**
 * Istio's PeerAuthentication (security.istio.io v1, v1beta1): the mutual TLS mode a
 * workload's inbound listener accepts, for the mesh (root namespace), a namespace, or the
 * workloads a selector picks.
 */
export const peerAuthenticationSpec = obj({
  selector: workloadSelector.optional(),
  mtls: mutualTls.optional(),
  portLevelMtls: portLevelMtls.optional(),
}).superRefine((spec, ctx) => {
  // Port numbers are a workload's own, so a policy for a whole namespace cannot name them.
  const noSelector = !spec.selector?.matchLabels || Object.keys(spec.selector.matchLabels).length === 0;
  if (noSelector && spec.portLevelMtls && Object.keys(spec.portLevelMtls).length > 0) {
    report(ctx, Code.invalidSelector, "mesh/namespace peer authentication cannot have port level mTLS: portLevelMtls requires selector", ["portLevelMtls"]);
  }
});

export type PeerAuthenticationSpec = z.infer<typeof peerAuthenticationSpec>;
export const peerAuthentication = istioResource(peerAuthenticationSpec);
