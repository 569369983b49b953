import * as z from "zod";
import { Code } from "./codes.ts";
import { duration, int32, obj, percentInRange, report, uint32 } from "./common.ts";

/** Istio's ValidatePercent: a whole percentage in 0..100. */
const percentage = int32.pipe(percentInRange());

/** Istio's `OutlierDetection` (Envoy's outlier detection: eject hosts that keep failing). */
export const outlierDetection = obj({
  /** Deprecated: use consecutiveGatewayErrors or consecutive5xxErrors. */
  consecutiveErrors: int32.optional(),
  splitExternalLocalOriginErrors: z.boolean().optional(),
  consecutiveLocalOriginFailures: uint32.optional(),
  consecutiveGatewayErrors: uint32.optional(),
  consecutive5xxErrors: uint32.optional(),
  interval: duration.optional(),
  baseEjectionTime: duration.optional(),
  maxEjectionPercent: percentage.optional(),
  minHealthPercent: percentage.optional(),
}).superRefine((od, ctx) => {
  // Envoy counts local-origin failures separately only when split mode is on; otherwise the setting is silently ignored.
  if (!od.splitExternalLocalOriginErrors && (od.consecutiveLocalOriginFailures ?? 0) > 0) {
    report(
      ctx,
      Code.invalidValue,
      "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false",
      ["consecutiveLocalOriginFailures"],
    );
  }
});

export type OutlierDetection = z.infer<typeof outlierDetection>;
