import type { Cluster, Endpoint } from "./snapshot.ts";

/** How a sidecar talks to one upstream endpoint. */
export type TransportSecurity = "plaintext" | "mutual_tls" | "tls";

/**
 * Istio's auto mTLS: ISTIO_MUTUAL towards endpoints with a sidecar (when this sidecar has
 * an identity to present), plaintext elsewhere; explicit modes as written. The sidecar and
 * the console's route tester both decide with this.
 */
export function securityFor(cluster: Pick<Cluster, "tls">, endpoint: Pick<Endpoint, "sidecar">, haveIdentity = true): TransportSecurity {
  switch (cluster.tls.mode) {
    case "DISABLE":
      return "plaintext";
    case "SIMPLE":
    case "MUTUAL":
      return "tls";
    case "ISTIO_MUTUAL":
      if (cluster.tls.auto) return endpoint.sidecar && haveIdentity ? "mutual_tls" : "plaintext";
      return "mutual_tls";
  }
}
