/**
 * Query parameters of the console's GET route handlers (/api/graph, /api/graph/config,
 * /api/metrics): one value per name, checked by zod before any of it reaches PromQL, and
 * a failure that names the field for the 400.
 */
import * as z from "zod";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** The first zod issue as `field: message`, for a 400 that names the field. */
export function firstIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join(".") || "query";
  return { field, message: issue.message };
}

/** Query parameters: one value each (the first); an empty value counts as absent. */
export function paramsObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (v !== "" && !(k in out)) out[k] = v;
  return out;
}

/** A Kubernetes label value (names, versions): at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends. */
export const labelValueSchema = z
  .string()
  .max(63)
  .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, "must be a Kubernetes name or label value");

/** A graph node's names (the graph builder's NodeRef); which of them must be present is each request's rule. */
export const nodeRefShape = {
  namespace: labelValueSchema,
  app: labelValueSchema.optional(),
  version: labelValueSchema.optional(),
  workload: labelValueSchema.optional(),
  service: labelValueSchema.optional(),
};
