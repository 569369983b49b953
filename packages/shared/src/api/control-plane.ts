/**
 * The control plane's HTTP API: paths and payload shapes, shared by the control plane,
 * the CLI, the sidecar's stream client and the console. zod schemas are the one source;
 * types are inferred from them.
 *
 * Conventions: JSON bodies; errors are `{ error: { code, message, diagnostics? } }` with
 * HTTP status 400 (bad input), 401 (no or bad token), 404, 409 (stale resourceVersion),
 * 422 (validation errors). Mutating calls need `Authorization: Bearer <token>`.
 */
import * as z from "zod";

export const API_PREFIX = "/api/v1";

export const diagnosticSchema = z.object({
  severity: z.enum(["error", "warning", "info"]),
  code: z.string(),
  message: z.string(),
  file: z.string(),
  line: z.number(),
  column: z.number(),
  path: z.string(),
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
});

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), diagnostics: z.array(diagnosticSchema).optional() }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/** A stored Istio resource as the API returns it. */
export const storedResourceSchema = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    resourceVersion: z.string(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    creationTimestamp: z.string().optional(),
  }),
  spec: z.unknown(),
});
export type StoredResource = z.infer<typeof storedResourceSchema>;

// ---- resources ---------------------------------------------------------------------
// GET    /api/v1/resources?kind=K&namespace=NS          -> { items: StoredResource[] }
// GET    /api/v1/resources/:kind/:namespace/:name        -> StoredResource
// PUT    /api/v1/resources/:kind/:namespace/:name        body: ApplyRequest with one document -> ApplyResult
// DELETE /api/v1/resources/:kind/:namespace/:name?resourceVersion=N -> ApplyResult
// POST   /api/v1/apply                                   body: ApplyRequest -> ApplyResult (422 with diagnostics on errors, 409 on conflict)

export const applyRequestSchema = z.object({
  /** YAML (or JSON) documents, as files: diagnostics point at these names and lines. */
  files: z.array(z.object({ file: z.string(), text: z.string() })).min(1),
  /** Validate and diff, commit nothing. */
  dryRun: z.boolean().default(false),
  /** Namespace for documents that name none. */
  namespace: z.string().default("default"),
  message: z.string().default(""),
});
export type ApplyRequest = z.input<typeof applyRequestSchema>;

export const changeSchema = z.object({
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  operation: z.enum(["create", "update", "delete", "unchanged"]),
  /** Unified diff of the YAML before and after. */
  diff: z.string(),
  resourceVersion: z.string().optional(),
});
export type Change = z.infer<typeof changeSchema>;

export const applyResultSchema = z.object({
  dryRun: z.boolean(),
  /** The change set's id when committed. */
  changeSet: z.number().optional(),
  changes: z.array(changeSchema),
  diagnostics: z.array(diagnosticSchema),
});
export type ApplyResult = z.infer<typeof applyResultSchema>;

// ---- history ----------------------------------------------------------------------
// GET  /api/v1/history?kind=&namespace=&name=&limit=   -> { items: Revision[] } newest first
// POST /api/v1/rollback  body: { revision: number } | { changeSet: number } -> ApplyResult
//      Restores the resource(s) to their state right after that revision / change set.

export const revisionSchema = z.object({
  id: z.number(),
  changeSet: z.number(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  operation: z.enum(["create", "update", "delete"]),
  resourceVersion: z.string(),
  author: z.string(),
  message: z.string(),
  createdAt: z.string(),
  diff: z.string(),
});
export type Revision = z.infer<typeof revisionSchema>;

export const rollbackRequestSchema = z.union([z.object({ revision: z.number().int() }), z.object({ changeSet: z.number().int() })]);

// ---- registry and proxies ------------------------------------------------------------
// GET /api/v1/workloads  -> { items: Workload[] }
// GET /api/v1/proxies    -> { items: ProxyStatus[] }

export const workloadSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  serviceAccount: z.string(),
  labels: z.record(z.string(), z.string()),
  service: z.object({ name: z.string(), ports: z.array(z.object({ port: z.number(), name: z.string(), protocol: z.string().optional(), targetPort: z.number().optional() })) }).optional(),
  /** Where peers reach this workload: its sidecar's inbound listener. */
  address: z.string(),
  inboundPort: z.number().optional(),
  metricsPort: z.number().optional(),
});
export type Workload = z.infer<typeof workloadSchema>;

export const proxyStatusSchema = z.object({
  workload: z.string(),
  namespace: z.string(),
  connected: z.boolean(),
  /** Version last sent, and the last one the sidecar ACKed. */
  sentVersion: z.string().optional(),
  ackedVersion: z.string().optional(),
  /** Last NACK: the version refused and why. */
  nack: z.object({ version: z.string(), error: z.string(), at: z.string() }).optional(),
  lastSeen: z.string(),
  identity: z.string().optional(),
  certificateExpiry: z.string().optional(),
});
export type ProxyStatus = z.infer<typeof proxyStatusSchema>;

// ---- join tokens ----------------------------------------------------------------------
// POST /api/v1/join-tokens  body: JoinTokenRequest (admin) -> { token }
//      A token that lets one workload's sidecar register and get its certificate.

export const joinTokenRequestSchema = z.object({ namespace: z.string(), serviceAccount: z.string(), workload: z.string() });
export type JoinTokenRequest = z.infer<typeof joinTokenRequestSchema>;

// ---- sidecar protocol (xDS-like) -----------------------------------------------------
// POST /xds/v1/certificate  body: { csr }  header: Authorization: Bearer <join token> -> { certificate, root }
// GET  /xds/v1/stream?...   SSE; header: Authorization: Bearer <join token>; query: the Workload
//      fields as JSON in `workload`, and optionally `version`: the snapshot version the sidecar
//      already serves (from its disk cache); events: `snapshot` (data: { version, snapshot }) and `ping`.
// POST /xds/v1/ack          body: { version, error? } with the join token -> 204

export const certificateRequestSchema = z.object({ csr: z.string() });
export const certificateResponseSchema = z.object({ certificate: z.string(), root: z.string() });
export const ackSchema = z.object({ version: z.string(), error: z.string().optional() });

// ---- telemetry ---------------------------------------------------------------------
// GET  /api/v1/prometheus/sd    Prometheus http_sd_configs: [{ targets: ["127.0.0.1:PORT"], labels: {...} }]
// POST /v1/traces               OTLP/HTTP JSON (and protobuf if supported) span receiver
// GET  /api/traces?service=&operation=&minDuration=&maxDuration=&error=&start=&end=&limit=   Jaeger-shaped
// GET  /api/traces/:traceId
// GET  /api/services, /api/services/:service/operations
// GET  /api/v1/events          SSE stream of changes for the console: `config` (change set), `proxy` (status)

export const httpSdTargetSchema = z.object({ targets: z.array(z.string()), labels: z.record(z.string(), z.string()) });

// Jaeger's JSON model (jaeger-query's /api/traces answers `{ data: JaegerTrace[] }`), so
// Jaeger-aware tools read it too. Times are unix µs, durations µs.
export const jaegerKeyValueSchema = z.object({
  key: z.string(),
  type: z.enum(["string", "bool", "int64", "float64", "binary"]),
  value: z.union([z.string(), z.number(), z.boolean()]),
});
export type JaegerKeyValue = z.infer<typeof jaegerKeyValueSchema>;
export const jaegerSpanSchema = z.object({
  traceID: z.string(),
  spanID: z.string(),
  operationName: z.string(),
  references: z.array(z.object({ refType: z.enum(["CHILD_OF", "FOLLOWS_FROM"]), traceID: z.string(), spanID: z.string() })),
  startTime: z.number(),
  duration: z.number(),
  tags: z.array(jaegerKeyValueSchema),
  logs: z.array(z.object({ timestamp: z.number(), fields: z.array(jaegerKeyValueSchema) })),
  processID: z.string(),
  warnings: z.array(z.string()).nullable(),
  flags: z.number().optional(),
});
export type JaegerSpan = z.infer<typeof jaegerSpanSchema>;
export const jaegerTraceSchema = z.object({
  traceID: z.string(),
  spans: z.array(jaegerSpanSchema),
  processes: z.record(z.string(), z.object({ serviceName: z.string(), tags: z.array(jaegerKeyValueSchema) })),
  warnings: z.array(z.string()).nullable(),
  /** Skein's addition: some span of the trace failed. */
  error: z.boolean(),
});
export type JaegerTrace = z.infer<typeof jaegerTraceSchema>;

/**
 * `config` event data on /api/v1/events: one committed change set and the resources it
 * changed (the config store's change event). `proxy` events carry a ProxyStatus.
 */
export const configEventSchema = z.object({
  changeSet: z.number(),
  author: z.string(),
  /** apply | delete | rollback */
  action: z.string(),
  changed: z.array(z.object({ kind: z.string(), namespace: z.string(), name: z.string() })),
});
export type ConfigEvent = z.infer<typeof configEventSchema>;
