// Workload certificates. The sidecar makes its own key and a CSR (the key never leaves
// it); the CA signs it with the identity it has authenticated from the join token, not
// the one the CSR asks for, as Istio's CA does with the caller's authenticated identity.
import {
  CaError,
  generateKeyPair,
  privateKeyToPem,
  randomSerial,
  signingAlgorithm,
  x509,
  type Clock,
} from "./crypto.ts";
import { parseSpiffeId } from "./spiffe.ts";
import type { RootCa } from "./root.ts";

/** Istio's default workload certificate lifetime. */
export const defaultWorkloadTtlMs = 24 * 60 * 60 * 1000;
/** Longest backdating of notBefore, so a peer whose clock is a little behind accepts a fresh cert. */
export const maxClockSkewMs = 60_000;

export interface CsrAndKey {
  keyPem: string;
  csrPem: string;
}

export interface SignOptions {
  spiffeId: string;
  ttlMs: number;
  clock: Clock;
}

export interface IssuedLeaf {
  keyPem: string;
  certPem: string;
}

function requireSpiffeId(id: string): void {
  if (!parseSpiffeId(id)) throw new CaError(`invalid SPIFFE ID "${id}"`);
}

function uriSan(id: string, critical: boolean): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension([{ type: "url", value: id }], critical);
}

/** What the sidecar runs before it asks for a certificate. */
export async function createCsr({ spiffeId }: { spiffeId: string }): Promise<CsrAndKey> {
  requireSpiffeId(spiffeId);
  const keys = await generateKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm,
    extensions: [uriSan(spiffeId, false)],
  });
  return { keyPem: await privateKeyToPem(keys.privateKey), csrPem: csr.toString("pem") };
}

function readCsr(csrPem: string): x509.Pkcs10CertificateRequest {
  try {
    return new x509.Pkcs10CertificateRequest(csrPem);
  } catch (e) {
    throw new CaError(`cannot read CSR: ${(e as Error).message}`);
  }
}

/**
 * Backdate notBefore by at most a minute, and by no more than a tenth of the lifetime:
 * rotation runs at half of notBefore..notAfter, so a backdate larger than the TTL (tests
 * use seconds) would make a fresh certificate due for rotation at once.
 */
function skewFor(ttlMs: number): number {
  return Math.min(maxClockSkewMs, Math.floor(ttlMs / 10));
}

/** Signs a CSR for `spiffeId`; returns the leaf certificate as PEM. */
export async function signCsr(ca: RootCa, csrPem: string, { spiffeId, ttlMs, clock }: SignOptions): Promise<string> {
  const identity = parseSpiffeId(spiffeId);
  if (!identity) throw new CaError(`invalid SPIFFE ID "${spiffeId}"`);
  if (identity.trustDomain !== ca.trustDomain) {
    throw new CaError(`SPIFFE ID "${spiffeId}" is outside the CA's trust domain "${ca.trustDomain}"`);
  }
  if (!(ttlMs > 0)) throw new CaError(`certificate ttl must be positive, got ${ttlMs}ms`);
  const csr = readCsr(csrPem);
  // Proof of possession: whoever sent the CSR holds the private key of the public key in it.
  if (!(await csr.verify())) throw new CaError("CSR signature does not verify");
  const alg = csr.publicKey.algorithm as { name: string; namedCurve?: string };
  if (alg.name !== "ECDSA" || alg.namedCurve !== "P-256") {
    throw new CaError(`CSR key must be ECDSA P-256, got ${alg.name}${alg.namedCurve ? ` ${alg.namedCurve}` : ""}`);
  }

  const now = clock.now();
  const caNotAfter = ca.cert.notAfter.getTime();
  if (now >= caNotAfter) throw new CaError(`CA certificate expired at ${ca.cert.notAfter.toISOString()}`);
  const notBefore = new Date(now - skewFor(ttlMs));
  const notAfter = new Date(Math.min(now + ttlMs, caNotAfter));

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    issuer: ca.cert.subjectName,
    // Empty subject, as Istio's workload certs: the identity is only the URI SAN, which
    // RFC 5280 (4.2.1.6) then requires to be critical.
    subject: new x509.Name([]),
    notBefore,
    notAfter,
    publicKey: csr.publicKey,
    signingKey: ca.signingKey,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
      uriSan(spiffeId, true),
    ],
  });
  return cert.toString("pem");
}

/** Key, CSR and signature in one step, for tests and the local runner, where CA and sidecar share a process. */
export async function issueLeaf(ca: RootCa, options: SignOptions): Promise<IssuedLeaf> {
  const { keyPem, csrPem } = await createCsr({ spiffeId: options.spiffeId });
  return { keyPem, certPem: await signCsr(ca, csrPem, options) };
}
