import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, oneOf, report } from "./common.ts";

export const CLIENT_TLS_MODES = ["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"] as const;

/**
 * Istio's `ClientTLSSettings` for connections to the upstream, checked as Istio's
 * ValidateTLS does. With `credentialName` the certificates come from a secret, so the
 * file-path fields must stay empty; without it, MUTUAL needs a client certificate and key.
 */
export const clientTlsSettings = obj({
  mode: oneOf(CLIENT_TLS_MODES).optional(),
  clientCertificate: z.string().optional(),
  privateKey: z.string().optional(),
  caCertificates: z.string().optional(),
  credentialName: z.string().optional(),
  subjectAltNames: z.array(z.string()).optional(),
  sni: z.string().optional(),
  insecureSkipVerify: z.boolean().optional(),
  caCrl: z.string().optional(),
}).superRefine((tls, ctx) => {
  const sans = (tls.subjectAltNames ?? []).length > 0;
  if (tls.insecureSkipVerify) {
    if (tls.mode === "SIMPLE" && (tls.caCertificates || tls.credentialName || sans)) {
      report(ctx, Code.mutuallyExclusive, "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true", ["insecureSkipVerify"]);
    }
    if (tls.mode === "MUTUAL" && (tls.caCertificates || sans)) {
      report(ctx, Code.mutuallyExclusive, "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true", ["insecureSkipVerify"]);
    }
  }
  if ((tls.mode === "SIMPLE" || tls.mode === "MUTUAL") && tls.credentialName) {
    if (tls.clientCertificate || tls.caCertificates || tls.privateKey || tls.caCrl) {
      report(ctx, Code.mutuallyExclusive, "cannot specify client certificates or CA certificate or CA CRL If credentialName is set", ["credentialName"]);
    }
    return;
  }
  if (tls.mode === "MUTUAL") {
    if (!tls.clientCertificate) report(ctx, Code.requiredField, "client certificate required for mutual tls (set clientCertificate, or credentialName)", ["clientCertificate"]);
    if (!tls.privateKey) report(ctx, Code.requiredField, "private key required for mutual tls (set privateKey, or credentialName)", ["privateKey"]);
  }
});

export type ClientTlsSettings = z.infer<typeof clientTlsSettings>;
