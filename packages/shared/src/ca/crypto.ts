// The one place that wires @peculiar/x509 to Node's WebCrypto and turns keys into PEM
// and back. Every other file of the CA imports x509 from here, so the provider is set
// before any certificate is parsed or generated.
import "reflect-metadata"; // @peculiar/x509's ASN.1 decorators need it loaded first
import { createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from "node:crypto";
import * as x509 from "@peculiar/x509";

// The cast keeps this compiling under a DOM lib too (the console), whose Crypto type differs from Node's.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

export { x509 };

/** Milliseconds since the epoch; injected so a test can issue a certificate "in the past". */
export interface Clock {
  now(): number;
}

/** Raised for every refusal of the CA (bad CSR, key that does not match, wrong trust domain). */
export class CaError extends Error {
  override name = "CaError";
}

/** ECDSA P-256 with SHA-256, as Istio's CA issues by default. */
export const keyAlgorithm = { name: "ECDSA", namedCurve: "P-256" } as const;
export const signingAlgorithm = { name: "ECDSA", hash: "SHA-256" } as const;

export function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(keyAlgorithm, true, ["sign", "verify"]);
}

/** PKCS#8 "PRIVATE KEY" PEM, which node:tls and openssl both read. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

/**
 * Reads a P-256 private key from PEM. Node parses both PKCS#8 and the SEC1
 * "EC PRIVATE KEY" form that `openssl ecparam -genkey` writes, so an operator-supplied
 * key works either way.
 */
export async function privateKeyFromPem(pem: string): Promise<{ key: CryptoKey; object: KeyObject }> {
  let object: KeyObject;
  try {
    object = createPrivateKey(pem);
  } catch (e) {
    throw new CaError(`cannot read private key: ${(e as Error).message}`);
  }
  if (object.asymmetricKeyType !== "ec" || object.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new CaError(`private key must be ECDSA P-256, got ${object.asymmetricKeyType ?? "unknown"}`);
  }
  const der = object.export({ type: "pkcs8", format: "der" });
  const key = await webcrypto.subtle.importKey("pkcs8", der, keyAlgorithm, true, ["sign"]);
  return { key, object };
}

/** DER SubjectPublicKeyInfo of the public half of a private key, to compare with a certificate's. */
export function spkiOf(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ type: "spki", format: "der" });
}

/**
 * A random positive 128-bit serial. RFC 5280 allows up to 20 octets and requires it
 * positive, so the top bit is cleared (a set bit would read as negative in DER); the
 * next one is set so DER keeps all 16 octets instead of dropping a leading zero.
 */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString("hex");
}
