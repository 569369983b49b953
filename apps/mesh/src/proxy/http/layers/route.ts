import { matchRoute, type HeaderOperations, type Route, type RouteMatch } from "@skein/shared";
import { NoRouteFound } from "../../response-flags.ts";
import { localReply, type HeaderMap, type Layer, type ProxyRequest, type ProxyResponse } from "../exchange.ts";
import type { RoutingTable } from "../routing-table.ts";

/**
 * Finds the virtual host by Host header and the first matching route (Istio: first match
 * wins); answers direct responses and redirects itself; applies rewrites and the route's
 * header operations. No virtual host or no route: 404 with flag NR, as Envoy.
 */
export function withRoute(table: () => RoutingTable, source: { labels: Record<string, string>; namespace: string }): Layer {
  return (inner) => async (req) => {
    const routed = table().find(req.authority);
    if (!routed) throw new NoRouteFound(`no route for host "${req.authority}"`);
    req.virtualHost = routed.vh;
    req.port = routed.vh.port;
    const matched = matchRoute(routed.routes, {
      method: req.method,
      path: req.path,
      authority: req.authority,
      scheme: req.scheme,
      headers: req.headers,
      port: routed.vh.port,
      sourceLabels: source.labels,
      sourceNamespace: source.namespace,
    });
    if (!matched) throw new NoRouteFound(`no route matched ${req.method} ${req.path} on "${req.authority}"`);
    const route = matched.route;
    req.route = route;
    const action = route.action;
    if (action.type === "directResponse") return localReply(action.status, action.body ?? "", action.body === undefined ? {} : {});
    if (action.type === "redirect") return redirect(req, action);
    applyRewrite(req, route);
    applyHeaderOps(req.headers, route.headers?.request);
    const res = await inner(req);
    applyHeaderOps(res.headers, route.headers?.response);
    return res;
  };
}

function redirect(req: ProxyRequest, a: Extract<Route["action"], { type: "redirect" }>): ProxyResponse {
  const scheme = a.scheme ?? req.scheme;
  const [hostOnly] = req.authority.split(":");
  const authority = a.authority ?? (a.port !== undefined ? `${hostOnly}:${a.port}` : req.authority);
  const location = `${scheme}://${authority}${a.uri ?? req.path}`;
  return { status: a.redirectCode, headers: { location, "content-length": "0" }, body: null };
}

/**
 * Istio's rewrite.uri replaces the matched prefix when the route matched by prefix, and
 * the whole path otherwise; uriRegexRewrite substitutes with RE2 semantics.
 */
function applyRewrite(req: ProxyRequest, route: Route): void {
  const rw = route.rewrite;
  if (!rw) return;
  const q = req.path.indexOf("?");
  const path = q < 0 ? req.path : req.path.slice(0, q);
  const query = q < 0 ? "" : req.path.slice(q);
  if (rw.uri !== undefined) {
    const prefix = matchedPrefix(route.match, path);
    req.path = (prefix !== undefined ? rw.uri + path.slice(prefix.length) : rw.uri) + query;
  } else if (rw.uriRegex) {
    req.path = path.replace(new RegExp(rw.uriRegex.match, "g"), rw.uriRegex.rewrite.replace(/\\(\d)/g, "$$$1")) + query;
  }
  if (rw.authority !== undefined) req.authority = rw.authority;
}

function matchedPrefix(matches: readonly RouteMatch[], path: string): string | undefined {
  for (const m of matches) if (m.uri && "prefix" in m.uri && path.startsWith(m.uri.prefix)) return m.uri.prefix;
  return undefined;
}

/** Envoy's header manipulation: remove, then set (replace), then add (append). */
export function applyHeaderOps(headers: HeaderMap, ops: HeaderOperations["request"] | undefined): void {
  if (!ops) return;
  for (const name of ops.remove ?? []) delete headers[name];
  for (const [k, v] of Object.entries(ops.set ?? {})) headers[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(ops.add ?? {})) {
    const key = k.toLowerCase();
    const cur = headers[key];
    headers[key] = cur === undefined ? v : Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
}
