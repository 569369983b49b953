import { describe, expect, it } from "vitest";
import { Code } from "./codes.ts";
import { errorsOf, expectError, manifest } from "./manifest.fixture.ts";

const tls = (settings: unknown) => manifest("DestinationRule", { host: "db.example.com", trafficPolicy: { tls: settings } });
const at = "spec.trafficPolicy.tls";

describe("ClientTLSSettings", () => {
  const rejected = [
    { case: "MUTUAL without a client certificate", tls: { mode: "MUTUAL", privateKey: "/etc/certs/key.pem" }, code: Code.requiredField, path: `${at}.clientCertificate`, message: "client certificate required for mutual tls" },
    { case: "MUTUAL without a private key", tls: { mode: "MUTUAL", clientCertificate: "/etc/certs/cert.pem" }, code: Code.requiredField, path: `${at}.privateKey`, message: "private key required for mutual tls" },
    {
      case: "a credentialName alongside certificate files",
      tls: { mode: "SIMPLE", credentialName: "client-secret", caCertificates: "/etc/certs/ca.pem" },
      code: Code.mutuallyExclusive,
      path: `${at}.credentialName`,
      message: "cannot specify client certificates or CA certificate or CA CRL If credentialName is set",
    },
    {
      case: "SIMPLE that skips verification yet names a CA",
      tls: { mode: "SIMPLE", insecureSkipVerify: true, caCertificates: "/etc/certs/ca.pem" },
      code: Code.mutuallyExclusive,
      path: `${at}.insecureSkipVerify`,
      message: "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true",
    },
    {
      case: "MUTUAL that skips verification yet lists SANs",
      tls: { mode: "MUTUAL", insecureSkipVerify: true, credentialName: "c", subjectAltNames: ["spiffe://x"] },
      code: Code.mutuallyExclusive,
      path: `${at}.insecureSkipVerify`,
      message: "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true",
    },
    { case: "an unknown mode", tls: { mode: "ISTIO_MUTAL" }, code: Code.unknownEnumValue, path: `${at}.mode`, message: 'did you mean "ISTIO_MUTUAL"' },
  ];
  it.each(rejected)("rejects $case", ({ tls: settings, ...want }) => expectError(tls(settings), want));

  const accepted = [
    { case: "ISTIO_MUTUAL alone", tls: { mode: "ISTIO_MUTUAL" } },
    { case: "MUTUAL with certificate files", tls: { mode: "MUTUAL", clientCertificate: "/etc/certs/cert.pem", privateKey: "/etc/certs/key.pem", caCertificates: "/etc/certs/ca.pem", caCrl: "/etc/certs/crl.pem", sni: "db.example.com", subjectAltNames: ["db.example.com"] } },
    { case: "MUTUAL with a credentialName", tls: { mode: "MUTUAL", credentialName: "client-credential" } },
    { case: "SIMPLE skipping verification", tls: { mode: "SIMPLE", insecureSkipVerify: true } },
    { case: "DISABLE", tls: { mode: "DISABLE" } },
  ];
  it.each(accepted)("accepts $case", ({ tls: settings }) => expect(errorsOf(tls(settings))).toEqual([]));
});
