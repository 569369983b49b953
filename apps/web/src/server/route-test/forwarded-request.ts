import type { HeaderOperations, Route, RouteMatch, WeightedCluster } from "@skein/shared/browser";
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

/**
 * Istio's rewrite.uri replaces the matched prefix when the route matched by prefix, and
 * the whole path otherwise; uriRegexRewrite substitutes every match.
 */
function rewritten(fullPath: string, authority: string, route: Route): { path: string; authority: string } {
  const rw = route.rewrite;
  if (!rw) return { path: fullPath, authority };
  const q = fullPath.indexOf("?");
  const path = q < 0 ? fullPath : fullPath.slice(0, q);
  const query = q < 0 ? "" : fullPath.slice(q);
  let out = fullPath;
  if (rw.uri !== undefined) {
    const prefix = matchedPrefix(route.match, path);
    out = (prefix !== undefined ? rw.uri + path.slice(prefix.length) : rw.uri) + query;
  } else if (rw.uriRegex) {
    out = path.replace(new RegExp(rw.uriRegex.match, "g"), rw.uriRegex.rewrite.replace(/\\(\d)/g, "$$$1")) + query;
  }
  return { path: out, authority: rw.authority ?? authority };
}

/** The request's own spelling of the matched prefix (compared case-insensitively under ignoreUriCase). */
function matchedPrefix(matches: readonly RouteMatch[], path: string): string | undefined {
  for (const m of matches) {
    if (!m.uri || !("prefix" in m.uri)) continue;
    const head = path.slice(0, m.uri.prefix.length);
    if (m.ignoreUriCase ? head.toLowerCase() === m.uri.prefix.toLowerCase() : head === m.uri.prefix) return head;
  }
  return undefined;
}

/** Envoy's header manipulation: remove, then set (replace), then add (append). */
function applyHeaderOps(headers: Headers, ops: HeaderOperations["request"] | undefined): void {
  if (!ops) return;
  for (const name of ops.remove ?? []) delete headers[name];
  for (const [k, v] of Object.entries(ops.set ?? {})) headers[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(ops.add ?? {})) {
    const key = k.toLowerCase();
    const cur = headers[key];
    headers[key] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
}
