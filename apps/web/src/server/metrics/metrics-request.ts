/**
 * GET /api/metrics query parameters (documented in app/api/metrics/route.ts) to a
 * MetricsTarget and a window. Names are checked against Kubernetes' label-value syntax
 * before they reach PromQL, and zod names the offending field.
 */
import * as z from "zod";
import type { NodeRef } from "@skein/shared";
import { firstIssue, labelValueSchema, nodeRefShape, paramsObject, type ParseResult } from "../query-params.ts";
import type { MetricsTarget } from "./golden-signals.ts";
import { unixSecondsSchema, windowSchema } from "./window.ts";

const REF_FIELDS = Object.keys(nodeRefShape) as (keyof typeof nodeRefShape)[];

const metricsParams = z
  .object({
    ...nodeRefShape,
    direction: z.enum(["inbound", "outbound"]).default("inbound"),
    sourceNamespace: labelValueSchema.optional(),
    sourceApp: labelValueSchema.optional(),
    sourceVersion: labelValueSchema.optional(),
    sourceWorkload: labelValueSchema.optional(),
    sourceService: labelValueSchema.optional(),
    duration: windowSchema.prefault("5m"),
    queryTime: unixSecondsSchema.optional(),
    step: z
      .string()
      .regex(/^\d+$/, "must be whole seconds")
      .transform(Number)
      .refine((n) => n >= 1 && n <= 3600, "must be between 1 and 3600 seconds")
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (!p.app && !p.workload && !p.service) ctx.addIssue({ code: "custom", path: ["app"], message: "name the node: app, workload or service" });
    if (p.version && !p.app) ctx.addIssue({ code: "custom", path: ["version"], message: "version needs app" });
    const edge = p.sourceNamespace !== undefined || p.sourceApp !== undefined || p.sourceWorkload !== undefined || p.sourceService !== undefined;
    if (edge) {
      if (!p.sourceNamespace) ctx.addIssue({ code: "custom", path: ["sourceNamespace"], message: "an edge's source needs sourceNamespace" });
      if (!p.sourceApp && !p.sourceWorkload && !p.sourceService) ctx.addIssue({ code: "custom", path: ["sourceApp"], message: "name the edge's source: sourceApp, sourceWorkload or sourceService" });
    }
    if (p.sourceVersion && !p.sourceApp) ctx.addIssue({ code: "custom", path: ["sourceVersion"], message: "sourceVersion needs sourceApp" });
    if (!edge && p.direction === "outbound" && p.service && !p.app && !p.workload) {
      // a service node sends nothing; its callers' outbound requests are another node's
      ctx.addIssue({ code: "custom", path: ["direction"], message: "a service has inbound metrics only; ask for its workloads' outbound metrics" });
    }
  });

export interface MetricsRequest {
  target: MetricsTarget;
  windowS: number;
  /** Unix seconds; the caller defaults it to now. */
  queryTime?: number;
  step?: number;
}

export function parseMetricsRequest(params: URLSearchParams): ParseResult<MetricsRequest> {
  const parsed = metricsParams.safeParse(paramsObject(params));
  if (!parsed.success) return { ok: false, ...firstIssue(parsed.error) };
  const p = parsed.data;
  const ref = (prefix: "" | "source"): NodeRef => {
    const out: Record<string, string> = {};
    for (const f of REF_FIELDS) {
      const key = prefix ? `${prefix}${f[0]!.toUpperCase()}${f.slice(1)}` : f;
      const v = (p as Record<string, unknown>)[key];
      if (typeof v === "string") out[f] = v;
    }
    return out as unknown as NodeRef;
  };
  const target: MetricsTarget = p.sourceNamespace ? { kind: "edge", source: ref("source"), destination: ref("") } : { kind: "node", node: ref(""), direction: p.direction };
  return {
    ok: true,
    value: { target, windowS: p.duration, ...(p.queryTime !== undefined ? { queryTime: p.queryTime } : {}), ...(p.step !== undefined ? { step: p.step } : {}) },
  };
}
