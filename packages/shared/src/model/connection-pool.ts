import * as z from "zod";
import { Code } from "./codes.ts";
import { duration, int32, obj, oneOf, report, uint32 } from "./common.ts";

/** Istio models these limits as int32 and rejects negatives with its own wording. */
function nonNegative(label: string) {
  return int32.superRefine((n, ctx) => {
    if (n < 0) report(ctx, Code.outOfRange, `${label} must be non-negative (got ${n})`);
  });
}

const tcpKeepalive = obj({
  probes: uint32.optional(),
  time: duration.optional(),
  interval: duration.optional(),
});

export const tcpSettings = obj({
  maxConnections: nonNegative("max connections").optional(),
  connectTimeout: duration.optional(),
  tcpKeepalive: tcpKeepalive.optional(),
  maxConnectionDuration: duration.optional(),
  idleTimeout: duration.optional(),
});

export const httpSettings = obj({
  http1MaxPendingRequests: nonNegative("http1 max pending requests").optional(),
  http2MaxRequests: nonNegative("http2 max requests").optional(),
  maxRequestsPerConnection: nonNegative("max requests per connection").optional(),
  maxRetries: nonNegative("max retries").optional(),
  idleTimeout: duration.optional(),
  h2UpgradePolicy: oneOf(["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"]).optional(),
  useClientProtocol: z.boolean().optional(),
  maxConcurrentStreams: nonNegative("max concurrent streams").optional(),
}).superRefine((http, ctx) => {
  // Keeping the client's protocol means never upgrading, so asking for both contradicts itself.
  if (http.h2UpgradePolicy === "UPGRADE" && http.useClientProtocol) {
    report(ctx, Code.mutuallyExclusive, "use client protocol must not be true when H2UpgradePolicy is UPGRADE", ["useClientProtocol"]);
  }
});

/** Istio's `ConnectionPoolSettings` (Envoy's circuit breaker thresholds). */
export const connectionPoolSettings = obj({
  tcp: tcpSettings.optional(),
  http: httpSettings.optional(),
}).superRefine((pool, ctx) => {
  if (pool.tcp === undefined && pool.http === undefined) {
    report(ctx, Code.emptyValue, "connection pool must have at least one field (tcp or http)");
  }
});

export type ConnectionPoolSettings = z.infer<typeof connectionPoolSettings>;
