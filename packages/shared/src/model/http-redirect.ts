import * as z from "zod";
import { Code } from "./codes.ts";
import { obj, oneOf, portNumber, report, uint32 } from "./common.ts";

/**
 * Istio's HTTPRedirect. `port` and `derivePort` are one protobuf oneof; `uri` replaces
 * the whole path while `prefixRewrite` (Envoy's RedirectAction.prefix_rewrite) replaces
 * only the matched prefix, so the two exclude each other.
 */
export const httpRedirect = obj({
  uri: z.string().optional(),
  authority: z.string().optional(),
  port: uint32.optional(),
  derivePort: oneOf(["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"]).optional(),
  scheme: z.string().optional(),
  redirectCode: uint32.optional(),
  prefixRewrite: z.string().optional(),
}).superRefine((r, ctx) => {
  const hasPort = r.port !== undefined || r.derivePort !== undefined;
  if (!r.uri && !r.prefixRewrite && !r.authority && !hasPort && !r.scheme) {
    report(ctx, Code.requiredField, "redirect must specify URI, authority, scheme, or port");
  }
  if (r.uri && r.prefixRewrite) {
    report(ctx, Code.mutuallyExclusive, "redirect may only contain one of uri or prefix_rewrite", ["prefixRewrite"]);
  }
  if (r.port !== undefined && r.derivePort !== undefined) {
    report(ctx, Code.mutuallyExclusive, "redirect may only contain one of port or derivePort", ["derivePort"]);
  }
  if (r.redirectCode !== undefined && r.redirectCode !== 0 && (r.redirectCode < 300 || r.redirectCode > 399)) {
    report(ctx, Code.invalidStatus, `${r.redirectCode} is not a valid redirect code, must be 3xx`, ["redirectCode"]);
  }
  if (r.scheme && r.scheme !== "http" && r.scheme !== "https") {
    report(ctx, Code.invalidValue, 'invalid redirect scheme, must be "http" or "https"', ["scheme"]);
  }
  if (r.port !== undefined && r.port > 0) {
    const parsed = portNumber.safeParse(r.port);
    if (!parsed.success) report(ctx, Code.invalidPort, parsed.error.issues[0]!.message, ["port"]);
  }
});

export type HTTPRedirect = z.infer<typeof httpRedirect>;
