import { createPrivateKey, webcrypto, X509Certificate as NodeX509 } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, signingAlgorithm, x509 } from "./crypto.ts";
import { createCsr, issueLeaf, maxClockSkewMs, signCsr } from "./issue.ts";
import { createRootCa, type RootCa } from "./root.ts";

const t0 = Date.UTC(2030, 0, 1);
const clock = { now: () => t0 };
const hour = 3600_000;
const productpage = "spiffe://cluster.local/ns/default/sa/productpage";
let ca: RootCa;
let otherCa: RootCa;

beforeAll(async () => {
  ca = await createRootCa({ trustDomain: "cluster.local", ttlMs: 1000 * hour, clock });
  otherCa = await createRootCa({ trustDomain: "cluster.local", ttlMs: 1000 * hour, clock });
});

function uriAndDnsNames(certPem: string) {
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  return san?.names.items.map((n) => ({ type: n.type, value: n.value }));
}

describe("signCsr", () => {
  it("issues a leaf that chains to its root and to no other", async () => {
    const leaf = await issueLeaf(ca, { spiffeId: productpage, ttlMs: hour, clock });
    const cert = new x509.X509Certificate(leaf.certPem);
    const chain = await new x509.X509ChainBuilder({ certificates: [ca.cert] }).build(cert);
    expect(chain.map((c) => c.subject)).toEqual(["", "O=cluster.local"]);
    expect(await cert.verify({ publicKey: ca.cert.publicKey, date: new Date(t0) })).toBe(true);
    expect(await cert.verify({ publicKey: otherCa.cert.publicKey, date: new Date(t0) })).toBe(false);
    const node = new NodeX509(leaf.certPem);
    expect(node.checkIssued(new NodeX509(ca.certPem))).toBe(true);
    expect(node.verify(new NodeX509(otherCa.certPem).publicKey)).toBe(false);
    expect(node.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
  });

  it("puts exactly the given SPIFFE ID as the only SAN, ignoring what the CSR asked for", async () => {
    const keys = await generateKeyPair();
    const greedy = await x509.Pkcs10CertificateRequestGenerator.create({
      keys,
      signingAlgorithm,
      extensions: [
        new x509.SubjectAlternativeNameExtension([
          { type: "url", value: "spiffe://cluster.local/ns/istio-system/sa/istiod" },
          { type: "dns", value: "reviews.default.svc.cluster.local" },
        ]),
      ],
    });
    const certPem = await signCsr(ca, greedy.toString("pem"), { spiffeId: productpage, ttlMs: hour, clock });
    expect(uriAndDnsNames(certPem)).toEqual([{ type: "url", value: productpage }]);
    const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.critical).toBe(true);
  });

  it("marks the leaf for TLS client and server use and not as a CA", async () => {
    const cert = new x509.X509Certificate((await issueLeaf(ca, { spiffeId: productpage, ttlMs: hour, clock })).certPem);
    expect(cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    expect(cert.getExtension(x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    );
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([
      x509.ExtendedKeyUsage.serverAuth,
      x509.ExtendedKeyUsage.clientAuth,
    ]);
    expect(cert.publicKey.algorithm).toMatchObject({ name: "ECDSA", namedCurve: "P-256" });
  });

  it("backdates notBefore for clock skew and ends at now + ttl", async () => {
    const cert = new x509.X509Certificate((await issueLeaf(ca, { spiffeId: productpage, ttlMs: 24 * hour, clock })).certPem);
    expect(cert.notBefore.getTime()).toBe(t0 - maxClockSkewMs);
    expect(cert.notAfter.getTime()).toBe(t0 + 24 * hour);
  });

  it("backdates a seconds-long test certificate by a tenth of its life only", async () => {
    const cert = new x509.X509Certificate((await issueLeaf(ca, { spiffeId: productpage, ttlMs: 10_000, clock })).certPem);
    expect(cert.notBefore.getTime()).toBe(t0 - 1000);
    expect(cert.notAfter.getTime()).toBe(t0 + 10_000);
  });

  it("caps notAfter at the root's notAfter", async () => {
    const certPem = (await issueLeaf(ca, { spiffeId: productpage, ttlMs: 5000 * hour, clock })).certPem;
    expect(new x509.X509Certificate(certPem).notAfter.getTime()).toBe(ca.cert.notAfter.getTime());
  });

  it("refuses a CSR whose signature was not made with the key it carries", async () => {
    const a = await generateKeyPair();
    const b = await generateKeyPair();
    const forged = await x509.Pkcs10CertificateRequestGenerator.create({
      keys: { publicKey: a.publicKey, privateKey: b.privateKey },
      signingAlgorithm,
    });
    await expect(signCsr(ca, forged.toString("pem"), { spiffeId: productpage, ttlMs: hour, clock })).rejects.toThrow(
      /CSR signature does not verify/,
    );
  });

  it("refuses a CSR for a key other than P-256", async () => {
    const alg = { name: "ECDSA", namedCurve: "P-384" };
    const keys = await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      keys,
      signingAlgorithm: { name: "ECDSA", hash: "SHA-384" },
    });
    await expect(signCsr(ca, csr.toString("pem"), { spiffeId: productpage, ttlMs: hour, clock })).rejects.toThrow(
      /must be ECDSA P-256, got ECDSA P-384/,
    );
  });

  it.each([
    ["an ID outside the CA's trust domain", "spiffe://example.org/ns/default/sa/x", hour, /outside the CA's trust domain/],
    ["a malformed ID", "spiffe://cluster.local/default/x", hour, /invalid SPIFFE ID/],
    ["a zero ttl", productpage, 0, /ttl must be positive/],
  ])("refuses to sign for %s", async (_label, spiffeId, ttlMs, message) => {
    const { csrPem } = await createCsr({ spiffeId: productpage });
    await expect(signCsr(ca, csrPem, { spiffeId, ttlMs, clock })).rejects.toThrow(message);
  });

  it("refuses text that is not a CSR", async () => {
    await expect(signCsr(ca, "not a csr", { spiffeId: productpage, ttlMs: hour, clock })).rejects.toThrow(
      /cannot read CSR/,
    );
  });

  it("refuses to sign once the root has expired", async () => {
    const { csrPem } = await createCsr({ spiffeId: productpage });
    const later = { now: () => ca.cert.notAfter.getTime() + 1 };
    await expect(signCsr(ca, csrPem, { spiffeId: productpage, ttlMs: hour, clock: later })).rejects.toThrow(
      /CA certificate expired/,
    );
  });
});

describe("createCsr", () => {
  it("asks for the SPIFFE ID and keeps the key PEM for the sidecar", async () => {
    const { keyPem, csrPem } = await createCsr({ spiffeId: productpage });
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    expect(await csr.verify()).toBe(true);
    const san = csr.extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension);
    expect(san?.names.items.map((n) => n.value)).toEqual([productpage]);
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("refuses a malformed SPIFFE ID", async () => {
    await expect(createCsr({ spiffeId: "spiffe://td/ns/x" })).rejects.toThrow(/invalid SPIFFE ID/);
  });
});
