import { describe, expect, it } from "vitest";
import { validateSources } from "../validate/validate.ts";
import { Code } from "./codes.ts";

function peerAuthenticationErrors(spec: string) {
  const text = `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: pa\nspec:\n${spec.replace(/^/gm, "  ")}\n`;
  return validateSources([{ file: "pa.yaml", text }]).files[0]!.diagnostics.filter((d) => d.severity === "error");
}

const selector = "selector:\n  matchLabels: {app: httpbin}\n";

describe("PeerAuthentication", () => {
  it.each([
    ["a namespace-wide STRICT mode", "mtls: {mode: STRICT}"],
    ["an empty selector (applies to the namespace)", "selector: {}"],
    ["port-level modes for selected workloads", `${selector}mtls: {mode: PERMISSIVE}\nportLevelMtls:\n  8080: {mode: DISABLE}\n  "9090": {mode: STRICT}`],
    ["UNSET, which inherits the parent mode", `${selector}mtls: {mode: UNSET}`],
  ])("accepts %s", (_name, spec) => {
    expect(peerAuthenticationErrors(spec)).toEqual([]);
  });

  it.each([
    ["an unknown mode", "mtls: {mode: BLAH}", Code.unknownEnumValue, "spec.mtls.mode", 'unsupported value "BLAH"'],
    ["a misspelt mode", "mtls: {mode: STRCT}", Code.unknownEnumValue, "spec.mtls.mode", 'did you mean "STRICT"'],
    ["port-level modes without a selector", "portLevelMtls:\n  8080: {mode: DISABLE}", Code.invalidSelector, "spec.portLevelMtls", "mesh/namespace peer authentication cannot have port level mTLS"],
    ["port-level modes with a selector that has no labels", "selector: {}\nportLevelMtls:\n  8080: {mode: DISABLE}", Code.invalidSelector, "spec.portLevelMtls", "portLevelMtls requires selector"],
    ["an empty portLevelMtls", `${selector}portLevelMtls: {}`, Code.emptyValue, "spec.portLevelMtls", "portLevelMtls must have at least one entry"],
    ["a port key that is not a number", `${selector}portLevelMtls:\n  acd: {mode: STRICT}`, Code.invalidPort, "spec.portLevelMtls.acd", 'port "acd" is not a number'],
    ["port 0", `${selector}portLevelMtls:\n  0: {mode: STRICT}`, Code.invalidPort, 'spec.portLevelMtls["0"]', "port number 0 must be in the range 1..65535"],
    ["a port above 65535", `${selector}portLevelMtls:\n  "70000": {mode: STRICT}`, Code.invalidPort, 'spec.portLevelMtls["70000"]', "port number 70000 must be in the range 1..65535"],
    ["a wildcard in the selector", "selector:\n  matchLabels: {app: 'web-*'}", Code.invalidSelector, "spec.selector.matchLabels.app", "wildcard is not supported in selector"],
    ["a targetRef, which PeerAuthentication does not have", "targetRef: {kind: Service, name: foo}", Code.unknownField, "spec.targetRef", 'unknown field "targetRef"'],
  ])("rejects %s", (_name, spec, code, path, message) => {
    const errors = peerAuthenticationErrors(spec);
    expect(errors.find((e) => e.code === code && e.path === path)?.message, JSON.stringify(errors)).toContain(message);
  });
});
