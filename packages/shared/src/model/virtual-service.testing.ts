import { expect } from "vitest";
import { stringify } from "yaml";
import { validateSources } from "../validate/validate.ts";

/** Test support for the VirtualService model: validate a spec the way a user's file is validated. */

export interface Finding {
  code: string;
  path: string;
  message: string;
}

export interface ErrorRow {
  /** The behaviour, as the test's name. */
  name: string;
  spec: Record<string, unknown>;
  code: string;
  path: string;
  /** A fragment the message must contain. */
  message: string;
}

export interface ValidRow {
  name: string;
  spec: Record<string, unknown>;
}

/** Errors for a VirtualService with this spec, as `validateSources` reports them. */
export function vsErrors(spec: Record<string, unknown>): Finding[] {
  const text = stringify({ apiVersion: "networking.istio.io/v1", kind: "VirtualService", metadata: { name: "vs", namespace: "default" }, spec });
  const report = validateSources([{ file: "vs.yaml", text }]);
  return report.files
    .flatMap((f) => f.diagnostics)
    .filter((d) => d.severity === "error")
    .map((d) => ({ code: d.code, path: d.path, message: d.message }));
}

export function expectError(row: ErrorRow): void {
  expect(vsErrors(row.spec)).toContainEqual({ code: row.code, path: row.path, message: expect.stringContaining(row.message) });
}

export function expectValid(row: ValidRow): void {
  expect(vsErrors(row.spec)).toEqual([]);
}

export const DEST = { destination: { host: "reviews" } };

/** A VirtualService for `reviews` whose single HTTP route has these fields (a route to reviews unless replaced). */
export function httpSpec(route: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { hosts: ["reviews"], http: [{ route: [DEST], ...route }], ...extra };
}

/** As httpSpec, with this single match on the route. */
export function matchSpec(match: Record<string, unknown>): Record<string, unknown> {
  return httpSpec({ match: [match] });
}
