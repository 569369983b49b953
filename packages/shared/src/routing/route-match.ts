import type { HeaderMatch, Route, RouteMatch, VirtualHost } from "../compiler/snapshot.ts";
import { compileStringMatch, type StringMatcher } from "./string-match.ts";

/** What route matching needs to know about a request. Header names are lower case. */
export interface RouteRequest {
  method: string;
  /** Path with query string, as on the request line. */
  path: string;
  authority: string;
  scheme: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The service port the request was sent to. */
  port: number;
  sourceLabels: Readonly<Record<string, string>>;
  sourceNamespace: string;
}

type Predicate = (req: RouteRequest, path: string, query: URLSearchParams | undefined) => boolean;

export interface CompiledRoute {
  route: Route;
  index: number;
  matches(req: RouteRequest): boolean;
}

/**
 * Compiles a virtual host's routes once per snapshot. Istio's semantics: routes are tried
 * in order and the first whose any `match` entry holds wins; within one entry every
 * condition must hold; a route without match entries matches everything.
 */
export function compileRoutes(vh: VirtualHost): CompiledRoute[] {
  return vh.routes.map((route, index) => {
    const entries = route.match.map(compileMatch);
    const matches =
      entries.length === 0
        ? () => true
        : (req: RouteRequest) => {
            const q = req.path.indexOf("?");
            const path = q < 0 ? req.path : req.path.slice(0, q);
            let query: URLSearchParams | undefined;
            for (const entry of entries) {
              if (entry.needsQuery && query === undefined) query = new URLSearchParams(q < 0 ? "" : req.path.slice(q + 1));
              if (entry.test(req, path, query)) return true;
            }
            return false;
          };
    return { route, index, matches };
  });
}

/** First route that matches, or undefined (Envoy answers 404 with flag NR). */
export function matchRoute(routes: readonly CompiledRoute[], req: RouteRequest): CompiledRoute | undefined {
  for (const r of routes) if (r.matches(req)) return r;
  return undefined;
}

function compileMatch(m: RouteMatch): { test: Predicate; needsQuery: boolean } {
  const preds: Predicate[] = [];
  if (m.uri) {
    const t = compileStringMatch(m.uri, m.ignoreUriCase);
    preds.push((_r, path) => t(path));
  }
  if (m.method) {
    const t = compileStringMatch(m.method);
    preds.push((r) => t(r.method));
  }
  if (m.authority) {
    const t = compileStringMatch(m.authority);
    preds.push((r) => t(r.authority));
  }
  if (m.scheme) {
    const t = compileStringMatch(m.scheme);
    preds.push((r) => t(r.scheme));
  }
  for (const h of m.headers) preds.push(compileHeader(h));
  for (const qp of m.queryParams) {
    const t = qp.match ? compileStringMatch(qp.match) : undefined;
    preds.push((_r, _p, q) => {
      const v = q?.get(qp.name);
      return v !== null && v !== undefined && (t === undefined || t(v));
    });
  }
  if (m.port !== undefined) {
    const port = m.port;
    preds.push((r) => r.port === port);
  }
  if (m.sourceLabels) {
    const want = Object.entries(m.sourceLabels);
    preds.push((r) => want.every(([k, v]) => r.sourceLabels[k] === v));
  }
  if (m.sourceNamespace !== undefined) {
    const ns = m.sourceNamespace;
    preds.push((r) => r.sourceNamespace === ns);
  }
  return {
    needsQuery: m.queryParams.length > 0,
    test: (req, path, query) => {
      for (const p of preds) if (!p(req, path, query)) return false;
      return true;
    },
  };
}

function compileHeader(h: HeaderMatch): Predicate {
  const name = h.name.toLowerCase();
  const t: StringMatcher | undefined = h.match ? compileStringMatch(h.match) : undefined;
  const holds = (req: RouteRequest): boolean => {
    const raw = req.headers[name];
    if (raw === undefined) return false;
    // Envoy joins repeated headers with "," before matching.
    const value = Array.isArray(raw) ? raw.join(",") : raw;
    return t === undefined ? true : t(value);
  };
  return h.invert ? (req) => !holds(req) : (req) => holds(req);
}
