import { expect } from "vitest";
import type { Diagnostic } from "../diagnostics.ts";
import { validateSources } from "../validate/validate.ts";

/**
 * Test support for the model's table-driven tests: one networking.istio.io manifest whose metadata and
 * spec are written as JSON, which is valid YAML, so a table row can hold the spec as a
 * plain object and positions still resolve.
 */
export function manifest(kind: "DestinationRule" | "ServiceEntry", spec: unknown, metadata: Record<string, unknown> = { name: "test" }): string {
  return `apiVersion: networking.istio.io/v1\nkind: ${kind}\nmetadata: ${JSON.stringify(metadata)}\nspec: ${JSON.stringify(spec)}\n`;
}

/** The error diagnostics `validateSources` reports for one manifest. */
export function errorsOf(text: string): Diagnostic[] {
  return validateSources([{ file: "test.yaml", text }]).files.flatMap((f) => f.diagnostics).filter((d) => d.severity === "error");
}

export interface ExpectedError {
  code: string;
  path: string;
  /** A fragment of the message. */
  message: string;
}

/** Asserts that the manifest yields an error with this code, at this path, saying this. */
export function expectError(text: string, want: ExpectedError): void {
  const got = errorsOf(text).map((d) => ({ code: d.code, path: d.path, message: d.message }));
  expect(got).toContainEqual({ code: want.code, path: want.path, message: expect.stringContaining(want.message) });
}
