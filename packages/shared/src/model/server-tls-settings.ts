import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, oneOf, report } from "./common.ts";

export const SERVER_TLS_MODES = ["PASSTHROUGH", "SIMPLE", "MUTUAL", "AUTO_PASSTHROUGH", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"] as const;
export type ServerTlsMode = (typeof SERVER_TLS_MODES)[number];

const TLS_PROTOCOLS = ["TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3"] as const;

/** ServerTLSSettings.TLSCertificate: one of up to two server certificates (e.g. RSA and ECDSA). */
export const tlsCertificate = obj({
  serverCertificate: z.string().optional(),
  privateKey: z.string().optional(),
  caCertificates: z.string().optional(),
});

const serverTlsFields = obj({
  httpsRedirect: z.boolean().optional(),
  mode: oneOf(SERVER_TLS_MODES).optional(),
  serverCertificate: z.string().optional(),
  privateKey: z.string().optional(),
  caCertificates: z.string().optional(),
  caCrl: z.string().optional(),
  credentialName: z.string().optional(),
  credentialNames: z.array(z.string()).optional(),
  tlsCertificates: z.array(tlsCertificate).optional(),
  subjectAltNames: z.array(z.string()).optional(),
  verifyCertificateSpki: z.array(z.string()).optional(),
  verifyCertificateHash: z.array(z.string()).optional(),
  minProtocolVersion: oneOf(TLS_PROTOCOLS).optional(),
  maxProtocolVersion: oneOf(TLS_PROTOCOLS).optional(),
  cipherSuites: z.array(z.string()).optional(),
});

type ServerTlsFields = z.infer<typeof serverTlsFields>;

/** The proto default: a server with `tls` but no mode passes TLS through. */
export function tlsMode(tls: { mode?: ServerTlsMode | undefined }): ServerTlsMode {
  return tls.mode ?? "PASSTHROUGH";
}

/** Istio's gateway.IsPassThroughServer, for a server that has `tls`. */
export function isPassthroughTls(tls: { mode?: ServerTlsMode | undefined }): boolean {
  const mode = tlsMode(tls);
  return mode === "PASSTHROUGH" || mode === "AUTO_PASSTHROUGH";
}

const set = (s: string | undefined): boolean => s !== undefined && s !== "";
const some = (l: readonly unknown[] | undefined): boolean => l !== undefined && l.length > 0;

/** ISTIO_MUTUAL uses the workload's own Istio certificate, so any other source is a mistake. */
function checkIstioMutual(tls: ServerTlsFields, ctx: z.RefinementCtx): void {
  const forbidden: [keyof ServerTlsFields, string, boolean][] = [
    ["serverCertificate", "server certificate", set(tls.serverCertificate)],
    ["privateKey", "private key", set(tls.privateKey)],
    ["caCertificates", "CA bundle", set(tls.caCertificates)],
    ["tlsCertificates", "tlsCertificates", some(tls.tlsCertificates)],
    ["credentialName", "credentialName", set(tls.credentialName)],
    ["credentialNames", "credentialNames", some(tls.credentialNames)],
  ];
  for (const [field, label, present] of forbidden) {
    if (present) report(ctx, Code.mutuallyExclusive, `ISTIO_MUTUAL TLS cannot have associated ${label}`, [field]);
  }
}

/** The certificate checks of Istio's validateTLSOptions for SIMPLE, MUTUAL and OPTIONAL_MUTUAL. */
function checkTerminatingTls(tls: ServerTlsFields, mode: ServerTlsMode, ctx: z.RefinementCtx): void {
  const prefix = mode === "SIMPLE" ? "SIMPLE TLS" : "MUTUAL TLS";
  if (mode !== "SIMPLE" && !set(tls.caCertificates)) {
    report(ctx, Code.requiredField, `${prefix} requires a client CA bundle (set caCertificates, or credentialName with a ca.crt)`, ["caCertificates"]);
  }
  const certs = some(tls.tlsCertificates)
    ? tls.tlsCertificates!.map((c, i) => ({ c, at: ["tlsCertificates", i] as (string | number)[] }))
    : [{ c: { serverCertificate: tls.serverCertificate, privateKey: tls.privateKey }, at: [] as (string | number)[] }];
  for (const { c, at } of certs) {
    if (!set(c.serverCertificate)) {
      report(ctx, Code.requiredField, `${prefix} requires a server certificate (set serverCertificate and privateKey, or credentialName)`, [...at, "serverCertificate"]);
    }
    if (!set(c.privateKey)) report(ctx, Code.requiredField, `${prefix} requires a private key`, [...at, "privateKey"]);
  }
}

/**
 * Istio's ServerTLSSettings with the errors of validateTLSOptions. Its warnings (weak
 * protocol versions, unknown cipher suites, certificates ignored in passthrough) are not
 * errors in Istio either, so they are not reported here.
 */
export const serverTlsSettings = serverTlsFields.superRefine((tls, ctx) => {
  const mode = tlsMode(tls);
  if (mode === "ISTIO_MUTUAL") {
    checkIstioMutual(tls, ctx);
    return;
  }
  const sources = [
    set(tls.serverCertificate) && set(tls.privateKey),
    set(tls.credentialName),
    some(tls.credentialNames),
    some(tls.tlsCertificates),
  ].filter(Boolean).length;
  if (sources > 1) {
    report(ctx, Code.mutuallyExclusive, "only one of credentialName, credentialNames, serverCertificate/privateKey, tlsCertificates should be specified");
  }
  const terminating = mode === "SIMPLE" || mode === "MUTUAL" || mode === "OPTIONAL_MUTUAL";
  // With a credential the certificates come from a secret at run time, CRL included.
  if (terminating && (set(tls.credentialName) || some(tls.credentialNames))) return;
  if (terminating) checkTerminatingTls(tls, mode, ctx);
  if (set(tls.caCrl)) {
    if (set(tls.credentialName)) {
      report(ctx, Code.mutuallyExclusive, "CRL is not supported with credentialName. CRL has to be specified in the credential", ["caCrl"]);
    }
    if (mode === "SIMPLE") report(ctx, Code.invalidValue, "CRL is not supported with SIMPLE TLS", ["caCrl"]);
  }
});

export type ServerTlsSettings = z.infer<typeof serverTlsSettings>;
