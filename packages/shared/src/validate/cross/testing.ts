/**
 * Builders of small multi-document inputs for the cross-resource check tests, and a
 * runner that feeds them through validateSources like a user's files.
 */
import { expect } from "vitest";
import { stringify } from "yaml";
import { validateSources } from "../validate.ts";

type Spec = Record<string, unknown>;

const API: Record<string, string> = {
  VirtualService: "networking.istio.io/v1",
  DestinationRule: "networking.istio.io/v1",
  Gateway: "networking.istio.io/v1",
  ServiceEntry: "networking.istio.io/v1",
  Sidecar: "networking.istio.io/v1",
  WorkloadEntry: "networking.istio.io/v1",
  PeerAuthentication: "security.istio.io/v1",
  AuthorizationPolicy: "security.istio.io/v1",
  RequestAuthentication: "security.istio.io/v1",
};

/** An Istio resource as YAML; `ref` is "namespace/name". */
export function istio(kind: string, ref: string, spec: Spec): string {
  const [namespace, name] = ref.split("/");
  return stringify({ apiVersion: API[kind], kind, metadata: { name, namespace }, spec });
}

export const virtualService = (ref: string, spec: Spec) => istio("VirtualService", ref, spec);
export const destinationRule = (ref: string, spec: Spec) => istio("DestinationRule", ref, spec);
export const gateway = (ref: string, spec: Spec) => istio("Gateway", ref, spec);
export const serviceEntry = (ref: string, spec: Spec) => istio("ServiceEntry", ref, spec);
export const peerAuthentication = (ref: string, spec: Spec) => istio("PeerAuthentication", ref, spec);
export const authorizationPolicy = (ref: string, spec: Spec) => istio("AuthorizationPolicy", ref, spec);
export const requestAuthentication = (ref: string, spec: Spec) => istio("RequestAuthentication", ref, spec);

export function namespace(name: string): string {
  return stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

export function serviceAccount(ref: string): string {
  const [ns, name] = ref.split("/");
  return stringify({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: ns } });
}

/** A Kubernetes Service selecting pods by `selector`, on port 9080. */
export function service(ref: string, selector: Record<string, string>): string {
  const [ns, name] = ref.split("/");
  return stringify({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { selector, ports: [{ name: "http", port: 9080 }] } });
}

/** A Deployment whose pods carry `labels` and run as `account` (Kubernetes' "default" when omitted). */
export function deployment(ref: string, labels: Record<string, string>, account?: string): string {
  const [ns, name] = ref.split("/");
  const podSpec = { ...(account ? { serviceAccountName: account } : {}), containers: [{ name: "app", image: "example/app:1" }] };
  return stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  });
}

/** The bookinfo reviews service in `ns` with pods of the given versions. */
export function reviews(ns: string, versions: readonly string[]): string[] {
  return [service(`${ns}/reviews`, { app: "reviews" }), ...versions.map((v) => deployment(`${ns}/reviews-${v}`, { app: "reviews", version: v }, "bookinfo-reviews"))];
}

export interface Seen {
  code: string;
  severity: string;
  path: string;
  message: string;
  /** "VirtualService default/reviews": the resource the finding is attached to. */
  on: string;
}

/**
 * Validates the documents as one file and returns the findings with the given codes.
 * Fails loudly on a schema error, which would otherwise hide the resource from the checks.
 */
export function findings(docs: readonly string[], codes: readonly string[]): Seen[] {
  const report = validateSources([{ file: "input.yaml", text: docs.join("---\n") }]);
  const all = report.files.flatMap((f) => f.diagnostics);
  const schema = all.filter((d) => d.severity === "error" && !d.code.startsWith("SK2"));
  if (schema.length > 0) throw new Error(`test input is not schema-valid: ${schema.map((d) => `${d.code} ${d.path}: ${d.message}`).join("; ")}`);
  return all
    .filter((d) => codes.includes(d.code))
    .map((d) => ({ code: d.code, severity: d.severity, path: d.path, message: d.message, on: `${d.kind} ${d.namespace}/${d.name}` }));
}

export interface Expected {
  severity: "error" | "warning";
  path: string;
  /** The whole message, or a pattern it must match. */
  message: string | RegExp;
  on?: string;
}

/** Asserts the findings of `code` for `docs`, in document order. */
export function expectFindings(docs: readonly string[], code: string, expected: readonly Expected[]): void {
  const seen = findings(docs, [code]);
  expect(seen.map((s) => `${s.severity} ${s.path}`)).toEqual(expected.map((e) => `${e.severity} ${e.path}`));
  expected.forEach((e, i) => {
    const s = seen[i]!;
    expect(s.code).toBe(code);
    if (e.on) expect(s.on).toBe(e.on);
    if (typeof e.message === "string") expect(s.message).toBe(e.message);
    else expect(s.message).toMatch(e.message);
  });
}
