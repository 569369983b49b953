import type { PeerCertificate } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPeerIdentity, readIdentity, rotationDue, rotationTime, uriSanFromPeer } from "./inspect.ts";
import { issueLeaf, maxClockSkewMs } from "./issue.ts";
import { createRootCa, type RootCa } from "./root.ts";

const hour = 3600_000;
const past = Date.UTC(2020, 5, 1);
const reviews = "spiffe://cluster.local/ns/default/sa/reviews";
const ratings = "spiffe://cluster.local/ns/default/sa/ratings";
let ca: RootCa;

beforeAll(async () => {
  ca = await createRootCa({ trustDomain: "cluster.local", ttlMs: 100_000 * hour, clock: { now: () => past } });
});

describe("readIdentity", () => {
  it("reads the SPIFFE ID and validity of a certificate issued in the past", async () => {
    const leaf = await issueLeaf(ca, { spiffeId: reviews, ttlMs: 24 * hour, clock: { now: () => past } });
    expect(readIdentity(leaf.certPem)).toEqual({
      spiffeId: reviews,
      notBefore: past - maxClockSkewMs,
      notAfter: past + 24 * hour,
    });
  });

  it("refuses a certificate without a SPIFFE ID", () => {
    expect(() => readIdentity(ca.certPem)).toThrow(/exactly one SPIFFE URI SAN/);
  });
});

describe("rotationDue", () => {
  it("flips at half of the certificate's lifetime", async () => {
    const leaf = await issueLeaf(ca, { spiffeId: reviews, ttlMs: 24 * hour, clock: { now: () => past } });
    const id = readIdentity(leaf.certPem);
    const half = past + 12 * hour - maxClockSkewMs / 2;
    expect(rotationTime(id)).toBe(half);
    expect(rotationDue(id, past)).toBe(false);
    expect(rotationDue(id, half - 1)).toBe(false);
    expect(rotationDue(id, half)).toBe(true);
    expect(rotationDue(id, id.notAfter + 1)).toBe(true);
  });

  it("is not due right after issuing a seconds-long test certificate", async () => {
    const leaf = await issueLeaf(ca, { spiffeId: reviews, ttlMs: 10_000, clock: { now: () => past } });
    const id = readIdentity(leaf.certPem);
    expect(rotationDue(id, past)).toBe(false);
    expect(rotationDue(id, past + 4500)).toBe(true);
  });
});

describe("uriSanFromPeer", () => {
  it.each([
    ["a lone URI SAN", `URI:${reviews}`, reviews],
    ["a URI SAN after a DNS SAN", `DNS:reviews.default.svc, URI:${reviews}`, reviews],
    ["a URI SAN before an IP SAN", `URI:${reviews}, IP Address:127.0.0.1`, reviews],
    ["a URI SAN node quoted", `URI:${JSON.stringify(reviews)}`, reviews],
    ["two URI SANs", `URI:${reviews}, URI:${ratings}`, undefined],
    ["a URI SAN that is not SPIFFE", "URI:https://reviews.example", undefined],
    ["a malformed SPIFFE ID", "URI:spiffe://cluster.local/ns/default", undefined],
    ["only a DNS SAN", "DNS:reviews", undefined],
    ["no SAN", undefined, undefined],
  ])("reads %s", (_label, subjectaltname, expected) => {
    expect(uriSanFromPeer({ subjectaltname } as PeerCertificate)).toBe(expected);
  });

  it("reads nothing from a peer that sent no certificate", () => {
    expect(uriSanFromPeer({} as PeerCertificate)).toBeUndefined();
    expect(uriSanFromPeer(null)).toBeUndefined();
  });
});

describe("checkPeerIdentity", () => {
  const peer = (san: string) => ({ subjectaltname: san }) as PeerCertificate;

  it("accepts a server whose SPIFFE ID is expected, whatever the host name", () => {
    expect(checkPeerIdentity([ratings, reviews])("127.0.0.1", peer(`URI:${reviews}`))).toBeUndefined();
  });

  it("rejects another server's SPIFFE ID and names both", () => {
    const err = checkPeerIdentity([reviews])("127.0.0.1", peer(`URI:${ratings}`));
    expect(err?.message).toContain(ratings);
    expect(err?.message).toContain(reviews);
  });

  it("accepts any SPIFFE ID when nothing is expected", () => {
    expect(checkPeerIdentity(undefined)("h", peer(`URI:${ratings}`))).toBeUndefined();
    expect(checkPeerIdentity([])("h", peer(`URI:${ratings}`))).toBeUndefined();
  });

  it("rejects a server certificate without a SPIFFE ID even when nothing is expected", () => {
    expect(checkPeerIdentity(undefined)("h", peer("DNS:reviews"))?.message).toMatch(/carries no SPIFFE ID/);
  });
});
