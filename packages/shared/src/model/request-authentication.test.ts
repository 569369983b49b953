import { describe, expect, it } from "vitest";
import { validateSources } from "../validate/validate.ts";
import { Code } from "./codes.ts";

function requestAuthenticationErrors(spec: string) {
  const text = `apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata:\n  name: ra\nspec:\n${spec.replace(/^/gm, "  ")}\n`;
  return validateSources([{ file: "ra.yaml", text }]).files[0]!.diagnostics.filter((d) => d.severity === "error");
}

const rule = (fields: string) => `jwtRules:\n- ${fields}`;
const JWKS = JSON.stringify({ keys: [{ kty: "RSA", e: "AQAB", n: "xyz", kid: "k1" }] });

describe("RequestAuthentication", () => {
  it.each([
    ["an issuer with a JWKS URI", rule("{issuer: testing@secure.istio.io, jwksUri: 'https://example.com/.well-known/jwks.json'}")],
    ["an issuer alone (JWKS found by OpenID discovery)", rule("{issuer: 'https://accounts.google.com'}")],
    ["a JWKS URI alone (any issuer)", rule("{jwksUri: 'http://keys.example.com:8080/jwks'}")],
    ["inline JWKS", rule(`{issuer: example.com, jwks: '${JWKS}'}`)],
    [
      "every token location and output option",
      `targetRefs:\n- {group: '', kind: Service, name: foo}\n${rule("issuer: example.com\n  audiences: [app]\n  fromHeaders: [{name: x-jwt, prefix: 'Bearer '}]\n  fromParams: [token]\n  fromCookies: [session]\n  outputPayloadToHeader: x-payload\n  forwardOriginalToken: true\n  outputClaimToHeaders: [{header: x-sub, claim: sub}]\n  spaceDelimitedClaims: [scope]\n  timeout: 5s\n  presence: REQUIRED")}`,
    ],
  ])("accepts %s", (_name, spec) => {
    expect(requestAuthenticationErrors(spec)).toEqual([]);
  });

  it.each([
    ["a rule with neither issuer nor JWKS URI", rule("{audiences: [a]}"), Code.requiredField, "spec.jwtRules[0].issuer", "issuer or jwksUri must be non-empty string"],
    ["an empty audience", rule("{issuer: example, audiences: ['']}"), Code.emptyValue, "spec.jwtRules[0].audiences[0]", "audience must be non-empty string"],
    ["a JWKS URI without a scheme", rule("{issuer: example, jwksUri: example.com/jwks}"), Code.invalidValue, "spec.jwtRules[0].jwksUri", 'URI scheme "" is not supported'],
    ["a JWKS URI over FTP", rule("{issuer: example, jwksUri: 'ftp://example.com/jwks'}"), Code.invalidValue, "spec.jwtRules[0].jwksUri", 'URI scheme "ftp" is not supported'],
    ["inline JWKS that is not JSON", rule("{issuer: example, jwks: 'not json'}"), Code.invalidValue, "spec.jwtRules[0].jwks", "jwks parse error"],
    ["inline JWKS keys without kty", rule(`{issuer: example, jwks: '{"keys": [{"n": "x"}]}'}`), Code.invalidValue, "spec.jwtRules[0].jwks", 'keys[0] has no "kty"'],
    ["a header location without a name", rule("{issuer: example, fromHeaders: [{prefix: baz}]}"), Code.requiredField, "spec.jwtRules[0].fromHeaders[0].name", 'missing required field "name"'],
    ["a header location with an empty name", rule("{issuer: example, fromHeaders: [{name: '', prefix: baz}]}"), Code.emptyValue, "spec.jwtRules[0].fromHeaders[0].name", "location header name must be non-empty string"],
    ["an empty query parameter", rule("{issuer: example, fromParams: ['']}"), Code.emptyValue, "spec.jwtRules[0].fromParams[0]", "location query must be non-empty string"],
    ["an empty cookie name", rule("{issuer: example, fromCookies: ['']}"), Code.emptyValue, "spec.jwtRules[0].fromCookies[0]", "cookie name must be non-empty string"],
    ["an empty claim to copy", rule("{issuer: example, outputClaimToHeaders: [{claim: '', header: h}]}"), Code.emptyValue, "spec.jwtRules[0].outputClaimToHeaders[0].claim", "header and claim value must be non-empty string"],
    ["a pseudo-header as claim target", rule("{issuer: example, outputClaimToHeaders: [{claim: x, header: ':authority'}]}"), Code.invalidHeader, "spec.jwtRules[0].outputClaimToHeaders[0].header", "header name :authority is not a valid header name"],
    ["a timeout without a unit", rule("{issuer: example, timeout: apple}"), Code.invalidDuration, "spec.jwtRules[0].timeout", 'invalid duration "apple"'],
    ["an empty space-delimited claim", rule("{issuer: example, spaceDelimitedClaims: ['']}"), Code.emptyValue, "spec.jwtRules[0].spaceDelimitedClaims[0]", "must be non-empty string"],
    ["an unknown presence", rule("{issuer: example, presence: MANDATORY}"), Code.unknownEnumValue, "spec.jwtRules[0].presence", 'unsupported value "MANDATORY"'],
    ["a null rule", "jwtRules:\n- ~", Code.wrongType, "spec.jwtRules[0]", "expected a mapping"],
    ["targetRef and targetRefs together", "targetRef: {kind: Service, name: a}\ntargetRefs:\n- {kind: Service, name: b}", Code.mutuallyExclusive, "spec.targetRefs", "only one of targetRefs or selector can be set"],
    ["a targetRef of an unsupported kind", "targetRef: {group: '', kind: Serv_ice, name: foo}", Code.invalidValue, "spec.targetRef.kind", "targetRef must be to one of"],
  ])("rejects %s", (_name, spec, code, path, message) => {
    const errors = requestAuthenticationErrors(spec);
    expect(errors.find((e) => e.code === code && e.path === path)?.message, JSON.stringify(errors)).toContain(message);
  });
});
