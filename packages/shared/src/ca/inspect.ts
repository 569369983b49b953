// Reading identities back out of certificates: the sidecar's own (when to rotate) and a
// peer's during a node:tls handshake (who is calling, and is the server who we meant).
import type { PeerCertificate } from "node:tls";
import { CaError, x509 } from "./crypto.ts";
import { parseSpiffeId } from "./spiffe.ts";

export interface CertIdentity {
  spiffeId: string;
  /** Milliseconds since the epoch, like Clock.now(). */
  notBefore: number;
  notAfter: number;
}

/** The SPIFFE ID and validity of a workload certificate; throws unless it has exactly one SPIFFE URI SAN. */
export function readIdentity(certPem: string): CertIdentity {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
  } catch (e) {
    throw new CaError(`cannot read certificate: ${(e as Error).message}`);
  }
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const uris = san?.names.items.filter((n) => n.type === "url").map((n) => n.value) ?? [];
  const spiffeId = onlySpiffeId(uris);
  if (spiffeId === undefined) {
    throw new CaError(`certificate must carry exactly one SPIFFE URI SAN, found [${uris.join(", ")}]`);
  }
  return { spiffeId, notBefore: cert.notBefore.getTime(), notAfter: cert.notAfter.getTime() };
}

/** Istio rotates a workload certificate once half of its lifetime has passed. */
export function rotationTime(cert: Pick<CertIdentity, "notBefore" | "notAfter">): number {
  return cert.notBefore + (cert.notAfter - cert.notBefore) / 2;
}

export function rotationDue(cert: Pick<CertIdentity, "notBefore" | "notAfter">, now: number): boolean {
  return now >= rotationTime(cert);
}

// One identity per workload: a certificate naming two SPIFFE IDs is ambiguous, so it has none.
function onlySpiffeId(uris: string[]): string | undefined {
  const ids = uris.filter((u) => parseSpiffeId(u) !== undefined);
  return ids.length === 1 && uris.length === 1 ? ids[0] : undefined;
}

// node:tls renders SANs as "DNS:a, URI:spiffe://td/ns/x/sa/y"; since the CVE-2021-44532
// fix a value holding a comma, quote or other special character is a JSON string instead.
const sanEntryRe = /(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g;

function uriSans(subjectaltname: string): string[] {
  const uris: string[] = [];
  for (const [, kind, raw] of subjectaltname.matchAll(sanEntryRe)) {
    if (kind !== "URI" || raw === undefined) continue;
    uris.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return uris;
}

/**
 * The SPIFFE ID of a TLS peer, from `socket.getPeerCertificate()`; undefined when the
 * peer sent no certificate or one without exactly one SPIFFE URI SAN.
 */
export function uriSanFromPeer(peer: Pick<PeerCertificate, "subjectaltname"> | null | undefined): string | undefined {
  const san = peer?.subjectaltname;
  return san ? onlySpiffeId(uriSans(san)) : undefined;
}

/**
 * A `checkServerIdentity` for tls.connect. Workload certs have no DNS SAN, so Node's
 * default host-name check would always fail; the server is judged by its SPIFFE ID
 * instead, like Envoy's match_subject_alt_names. With `expected` undefined or empty, any
 * certificate that carries a SPIFFE ID passes (the chain was already checked against the root).
 */
export function checkPeerIdentity(
  expected: readonly string[] | undefined,
): (hostname: string, cert: PeerCertificate) => Error | undefined {
  return (_hostname, cert) => {
    const actual = uriSanFromPeer(cert);
    if (actual === undefined) {
      return new CaError(`server certificate carries no SPIFFE ID (subjectAltName "${cert.subjectaltname ?? ""}")`);
    }
    if (expected && expected.length > 0 && !expected.includes(actual)) {
      return new CaError(`server identity "${actual}" is not one of the expected [${expected.join(", ")}]`);
    }
    return undefined;
  };
}
