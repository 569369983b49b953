import { createPrivateKey, generateKeyPairSync, X509Certificate as NodeX509 } from "node:crypto";
import { describe, expect, it } from "vitest";
import { x509 } from "./crypto.ts";
import { issueLeaf } from "./issue.ts";
import { createRootCa, loadRootCa } from "./root.ts";

const t0 = Date.UTC(2030, 0, 1);
const clock = { now: () => t0 };
const year = 365 * 24 * 3600 * 1000;

describe("createRootCa", () => {
  it("makes a self-signed P-256 CA named O=<trust domain> valid for the ttl", async () => {
    const ca = await createRootCa({ trustDomain: "cluster.local", ttlMs: year, clock });
    const cert = new x509.X509Certificate(ca.certPem);
    expect(cert.subject).toBe("O=cluster.local");
    expect(cert.issuer).toBe(cert.subject);
    expect(await cert.isSelfSigned()).toBe(true);
    expect(cert.publicKey.algorithm).toMatchObject({ name: "ECDSA", namedCurve: "P-256" });
    const basic = cert.getExtension(x509.BasicConstraintsExtension);
    expect(basic).toMatchObject({ ca: true, critical: true });
    const usages = cert.getExtension(x509.KeyUsagesExtension);
    expect(usages?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(usages?.critical).toBe(true);
    expect(cert.notBefore.getTime()).toBe(t0);
    expect(cert.notAfter.getTime()).toBe(t0 + year);
    expect(new NodeX509(ca.certPem).ca).toBe(true);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it("gives each root a different random serial", async () => {
    const a = await createRootCa({ trustDomain: "td", ttlMs: year, clock });
    const b = await createRootCa({ trustDomain: "td", ttlMs: year, clock });
    expect(a.cert.serialNumber).not.toBe(b.cert.serialNumber);
    expect(a.cert.serialNumber).toHaveLength(32);
  });

  it.each([
    ["an invalid trust domain", { trustDomain: "Not Valid", ttlMs: year }, /invalid trust domain/],
    ["a zero ttl", { trustDomain: "td", ttlMs: 0 }, /ttl must be positive/],
  ])("refuses %s", async (_label, opts, message) => {
    await expect(createRootCa({ ...opts, clock })).rejects.toThrow(message);
  });
});

describe("loadRootCa", () => {
  it("loads what createRootCa wrote and signs with it", async () => {
    const made = await createRootCa({ trustDomain: "cluster.local", ttlMs: year, clock });
    const loaded = await loadRootCa(made.certPem, made.keyPem);
    expect(loaded.trustDomain).toBe("cluster.local");
    const leaf = await issueLeaf(loaded, { spiffeId: "spiffe://cluster.local/ns/a/sa/b", ttlMs: 3600_000, clock });
    expect(new NodeX509(leaf.certPem).verify(new NodeX509(made.certPem).publicKey)).toBe(true);
  });

  it("reads an operator's SEC1 'EC PRIVATE KEY' as well as PKCS#8", async () => {
    const made = await createRootCa({ trustDomain: "td", ttlMs: year, clock });
    const sec1 = createPrivateKey(made.keyPem).export({ type: "sec1", format: "pem" }) as string;
    expect(sec1).toMatch(/BEGIN EC PRIVATE KEY/);
    await expect(loadRootCa(made.certPem, sec1)).resolves.toMatchObject({ trustDomain: "td" });
  });

  it("lets the options override the trust domain read from the subject", async () => {
    const made = await createRootCa({ trustDomain: "td", ttlMs: year, clock });
    await expect(loadRootCa(made.certPem, made.keyPem, { trustDomain: "example.org" })).resolves.toMatchObject({
      trustDomain: "example.org",
    });
  });

  it("refuses a key that belongs to another certificate", async () => {
    const a = await createRootCa({ trustDomain: "td", ttlMs: year, clock });
    const b = await createRootCa({ trustDomain: "td", ttlMs: year, clock });
    await expect(loadRootCa(a.certPem, b.keyPem)).rejects.toThrow(/private key does not match/);
  });

  it("refuses a certificate that is not a CA", async () => {
    const ca = await createRootCa({ trustDomain: "td", ttlMs: year, clock });
    const leaf = await issueLeaf(ca, { spiffeId: "spiffe://td/ns/a/sa/b", ttlMs: 3600_000, clock });
    await expect(loadRootCa(leaf.certPem, leaf.keyPem)).rejects.toThrow(/is not a CA/);
  });

  it("refuses a key that is not P-256", async () => {
    const ca = await createRootCa({ trustDomain: "td", ttlMs: year, clock });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" });
    await expect(loadRootCa(ca.certPem, rsa as string)).rejects.toThrow(/must be ECDSA P-256/);
  });

  it("refuses PEM that is not a certificate", async () => {
    const ca = await createRootCa({ trustDomain: "td", ttlMs: year, clock });
    await expect(loadRootCa("garbage", ca.keyPem)).rejects.toThrow(/cannot read CA certificate/);
  });
});
