import type { HeaderOperations, Route, RouteMatch } from "../compiler/snapshot.ts";

/**
 * The path after the route's rewrite: Istio's rewrite.uri replaces the matched prefix when
 * the route matched by prefix, and the whole path otherwise; uriRegexRewrite substitutes
 * with RE2 semantics. The query string is kept. The sidecar and the route tester share it.
 */
export function rewrittenPath(fullPath: string, route: Pick<Route, "rewrite" | "match">): string {
  const rw = route.rewrite;
  if (!rw) return fullPath;
  const q = fullPath.indexOf("?");
  const path = q < 0 ? fullPath : fullPath.slice(0, q);
  const query = q < 0 ? "" : fullPath.slice(q);
  if (rw.uri !== undefined) {
    const prefix = matchedPrefix(route.match, path);
    return (prefix !== undefined ? rw.uri + path.slice(prefix.length) : rw.uri) + query;
  }
  if (rw.uriRegex) return path.replace(new RegExp(rw.uriRegex.match, "g"), rw.uriRegex.rewrite.replace(/\\(\d)/g, "$$$1")) + query;
  return fullPath;
}

/** The request's own spelling of the matched prefix (Envoy compares case-insensitively under ignoreUriCase). */
function matchedPrefix(matches: readonly RouteMatch[], path: string): string | undefined {
  for (const m of matches) {
    if (!m.uri || !("prefix" in m.uri)) continue;
    const head = path.slice(0, m.uri.prefix.length);
    if (m.ignoreUriCase ? head.toLowerCase() === m.uri.prefix.toLowerCase() : head === m.uri.prefix) return head;
  }
  return undefined;
}

/** Envoy's header manipulation: remove, then set (replace), then add (append). */
export function applyHeaderOps(headers: Record<string, string | string[] | undefined>, ops: HeaderOperations["request"] | undefined): void {
  if (!ops) return;
  for (const name of ops.remove ?? []) delete headers[name];
  for (const [k, v] of Object.entries(ops.set ?? {})) headers[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(ops.add ?? {})) {
    const key = k.toLowerCase();
    const cur = headers[key];
    headers[key] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
}
