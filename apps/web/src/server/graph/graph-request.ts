/**
 * GET /api/graph query parameters (documented in app/api/graph/route.ts) to the graph
 * builder's options, and the cache key of a request: two requests with the same key get
 * the same graph.
 */
import * as z from "zod";
import { GRAPH_TYPES, isDns1123Label, type GraphType, type NodeRef } from "@skein/shared";
import { firstIssue, nodeRefShape, paramsObject, type ParseResult } from "../query-params.ts";
import { booleanParamSchema, formatPromDuration, unixSecondsSchema, windowSchema } from "../metrics/window.ts";

const namespacesSchema = z
  .string()
  .transform((s) => [...new Set(s.split(",").map((n) => n.trim()).filter(Boolean))].sort())
  .pipe(
    z
      .array(z.string().refine(isDns1123Label, "each namespace must be a DNS-1123 label"))
      .min(1, "name at least one namespace")
      .max(100, "at most 100 namespaces"),
  );

const graphParams = z.object({
  namespaces: namespacesSchema,
  graphType: z.enum(GRAPH_TYPES as [GraphType, ...GraphType[]]).default("versionedApp"),
  duration: windowSchema.prefault("1m"),
  idleEdges: booleanParamSchema.prefault("false"),
  responseTime: booleanParamSchema.prefault("true"),
  queryTime: unixSecondsSchema.optional(),
});

export interface GraphRequest {
  namespaces: string[];
  graphType: GraphType;
  windowS: number;
  /** The window as the queries write it ("5m"). */
  window: string;
  includeIdleEdges: boolean;
  /** Whether edges carry p95 response times (the costly histogram queries). */
  responseTime: boolean;
  /** Unix seconds; absent means now. */
  queryTime?: number;
}

export function parseGraphRequest(params: URLSearchParams): ParseResult<GraphRequest> {
  const raw = paramsObject(params);
  // `namespaces` is required: a missing one must fail like an empty one, naming the field.
  const parsed = graphParams.safeParse({ namespaces: "", ...raw });
  if (!parsed.success) return { ok: false, ...firstIssue(parsed.error) };
  const p = parsed.data;
  return {
    ok: true,
    value: {
      namespaces: p.namespaces,
      graphType: p.graphType,
      windowS: p.duration,
      window: formatPromDuration(p.duration),
      includeIdleEdges: p.idleEdges,
      responseTime: p.responseTime,
      ...(p.queryTime !== undefined ? { queryTime: p.queryTime } : {}),
    },
  };
}

/** Namespaces are sorted and the window normalized, so `5m` and `300s` share an entry. */
export function graphCacheKey(r: GraphRequest): string {
  return JSON.stringify([r.namespaces, r.graphType, r.windowS, r.includeIdleEdges, r.responseTime, r.queryTime ?? null]);
}

const nodeRefParams = z
  .object(nodeRefShape)
  .refine((p) => p.app || p.workload || p.service, { path: ["app"], message: "name the node: app, workload or service" });

/** A node by its names, as GET /api/graph/config takes it. */
export function parseNodeRefRequest(params: URLSearchParams): ParseResult<NodeRef> {
  const parsed = nodeRefParams.safeParse(paramsObject(params));
  if (!parsed.success) return { ok: false, ...firstIssue(parsed.error) };
  const p = parsed.data;
  return {
    ok: true,
    value: {
      namespace: p.namespace,
      ...(p.app ? { app: p.app } : {}),
      ...(p.version ? { version: p.version } : {}),
      ...(p.workload ? { workload: p.workload } : {}),
      ...(p.service ? { service: p.service } : {}),
    },
  };
}
