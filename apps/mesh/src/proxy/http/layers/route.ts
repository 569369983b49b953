import { applyHeaderOps, matchRoute, rewrittenPath, type Route } from "@skein/shared";
import { NoRouteFound } from "../../response-flags.ts";
import { localReply, type Layer, type ProxyRequest, type ProxyResponse } from "../exchange.ts";
import type { RoutingTable } from "../routing-table.ts";

/**
 * Finds the virtual host by Host header and the first matching route (Istio: first match
 * wins); answers direct responses and redirects itself, with the route's response header
 * operations as Envoy's DirectResponseEntry applies them; applies rewrites. The header
 * operations of forwarded requests belong to the weighted-cluster layer, which knows the
 * destination's too. No virtual host or no route: 404 with flag NR, as Envoy.
 */
export function withRoute(table: () => RoutingTable, source: { labels: Record<string, string>; namespace: string }): Layer {
  // Not async itself: a forwarded request costs no promise here (failures are still rejections).
  return (inner) => (req) => {
    try {
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
      if (action.type === "directResponse" || action.type === "redirect") {
        const res = action.type === "redirect" ? redirect(req, action) : localReply(action.status, action.body ?? "");
        applyHeaderOps(res.headers, route.headers?.response);
        return Promise.resolve(res);
      }
      applyRewrite(req, route);
    } catch (e) {
      return Promise.reject(e);
    }
    return inner(req);
  };
}

/**
 * The Location of a redirect, as Envoy's Http::Utility::newUri builds it: the scheme,
 * host and path replaced where the route says so; `port` replaces the port of whichever
 * host is used; the request's query is kept unless the new path carries its own; and the
 * request's port is dropped when it is the old scheme's default and the scheme changes.
 */
function redirect(req: ProxyRequest, a: Extract<Route["action"], { type: "redirect" }>): ProxyResponse {
  const scheme = a.scheme ?? req.scheme;
  const port = a.port !== undefined ? `:${a.port}` : "";
  let host = a.authority ?? req.authority;
  if (a.authority === undefined) {
    const colon = host.lastIndexOf(":");
    const requestPort = colon > 0 && !host.endsWith("]") ? host.slice(colon) : "";
    const defaultPort = scheme !== req.scheme && ((req.scheme === "http" && requestPort === ":80") || (req.scheme === "https" && requestPort === ":443"));
    if (requestPort && (port || defaultPort)) host = host.slice(0, colon);
  }
  let path = req.path;
  if (a.uri !== undefined) {
    const q = req.path.indexOf("?");
    path = a.uri.includes("?") || q < 0 ? a.uri : a.uri + req.path.slice(q);
  }
  if (!path.startsWith("/")) path = `/${path}`;
  return { status: a.redirectCode, headers: { location: `${scheme}://${host}${port}${path}`, "content-length": "0" }, body: null };
}

function applyRewrite(req: ProxyRequest, route: Route): void {
  const rw = route.rewrite;
  if (!rw) return;
  req.path = rewrittenPath(req.path, route);
  if (rw.authority !== undefined) req.authority = rw.authority;
}

export { applyHeaderOps };
