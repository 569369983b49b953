import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, report, uint32 } from "./common.ts";
import { httpStatusError } from "./http-fault.ts";

const KB = 1024;
const MB = 1024 * KB;

// protojson accepts standard and URL-safe base64, padded or not.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Istio's HTTPBody: the body as text, or as base64-encoded bytes. */
export const httpBody = obj({
  string: z.string().optional(),
  bytes: z.string().optional(),
}).superRefine((b, ctx) => {
  if (b.string !== undefined && b.bytes !== undefined) {
    report(ctx, Code.mutuallyExclusive, "body may only contain one of string or bytes", ["bytes"]);
  }
  if (b.bytes !== undefined && !BASE64.test(b.bytes)) {
    report(ctx, Code.invalidValue, "bytes must be base64-encoded", ["bytes"]);
  }
  const size = b.string !== undefined ? new TextEncoder().encode(b.string).length : Math.floor(((b.bytes ?? "").replace(/=+$/, "").length * 3) / 4);
  // The body travels in every proxy's config, so Istio caps it.
  if (size > MB) {
    report(ctx, Code.outOfRange, "large direct_responses may impact control plane performance, must be less than 1MB", [b.string !== undefined ? "string" : "bytes"]);
  }
});

/** Istio's HTTPDirectResponse: answer the request at the proxy with a fixed status and body. */
export const httpDirectResponse = obj({
  status: uint32,
  body: httpBody.optional(),
}).superRefine((d, ctx) => {
  const err = httpStatusError(d.status);
  if (err) report(ctx, Code.invalidStatus, err, ["status"]);
});

export type HTTPDirectResponse = z.infer<typeof httpDirectResponse>;
