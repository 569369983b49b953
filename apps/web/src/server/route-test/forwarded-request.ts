import { applyHeaderOps, rewrittenPath, type Route, type WeightedCluster } from "@skein/shared/browser";
import type { ForwardedRequest } from "./result";

type Headers = Record<string, string | string[]>;

/**
 * The request as the destination receives it: the route's rewrite, then the header
 * operations in the sidecar's order (apps/mesh/src/proxy/http/layers/route.ts and
 * weighted-cluster.ts): the destination's first, then the route's, so the route's `set`
 * wins on a conflict. Authorization at the destination judges this request, not the one
 * the app sent.
 */
export function forwardedRequest(req: { authority: string; path: string; headers: Headers }, route: Route, destination: WeightedCluster | undefined): ForwardedRequest {
  const headers: Headers = { ...req.headers };
  const { path, authority } = rewritten(req.path, req.authority, route);
  applyHeaderOps(headers, destination?.headers?.request);
  applyHeaderOps(headers, route.headers?.request);
  headers.host = authority;
  return { authority, path, headers };
}

function rewritten(fullPath: string, authority: string, route: Route): { path: string; authority: string } {
  return { path: rewrittenPath(fullPath, route), authority: route.rewrite?.authority ?? authority };
}
