import { describe, expect, it } from "vitest";
import type { Route, RouteMatch, VirtualHost } from "../compiler/snapshot.ts";
import { compileRoutes, matchRoute, type RouteRequest } from "./route-match.ts";

function route(name: string, match: Partial<RouteMatch>[]): Route {
  return {
    name,
    match: match.map((m) => ({ headers: [], queryParams: [], ignoreUriCase: false, ...m })),
    action: { type: "route", clusters: [{ cluster: name, weight: 100 }] },
    retry: { attempts: 0, retryOn: [], retriableStatusCodes: [], backoffBaseMs: 25, backoffMaxMs: 250 },
    mirrors: [],
  };
}

function request(over: Partial<RouteRequest> = {}): RouteRequest {
  return { method: "GET", path: "/", authority: "reviews:9080", scheme: "http", headers: {}, port: 9080, sourceLabels: {}, sourceNamespace: "default", ...over };
}

function firstMatch(routes: Route[], req: RouteRequest): string | undefined {
  const vh: VirtualHost = { name: "reviews", domains: ["reviews"], port: 9080, routes };
  return matchRoute(compileRoutes(vh), req)?.route.name;
}

describe("route matching", () => {
  it.each([
    { name: "uri exact", match: { uri: { exact: "/api" } }, yes: request({ path: "/api?x=1" }), no: request({ path: "/api/v1" }) },
    { name: "uri prefix", match: { uri: { prefix: "/api" } }, yes: request({ path: "/api/v1" }), no: request({ path: "/ap" }) },
    { name: "uri regex is a full match", match: { uri: { regex: "/r[0-9]+" } }, yes: request({ path: "/r12" }), no: request({ path: "/r12/x" }) },
    { name: "uri ignoring case", match: { uri: { prefix: "/API" }, ignoreUriCase: true }, yes: request({ path: "/api/x" }), no: request({ path: "/other" }) },
    { name: "method", match: { method: { exact: "POST" } }, yes: request({ method: "POST" }), no: request({ method: "GET" }) },
    { name: "authority prefix", match: { authority: { prefix: "reviews" } }, yes: request(), no: request({ authority: "ratings" }) },
    { name: "scheme", match: { scheme: { exact: "https" } }, yes: request({ scheme: "https" }), no: request() },
    { name: "header exact", match: { headers: [{ name: "end-user", match: { exact: "jason" } }] }, yes: request({ headers: { "end-user": "jason" } }), no: request({ headers: { "end-user": "json" } }) },
    { name: "header name in any case", match: { headers: [{ name: "End-User", match: { exact: "jason" } }] }, yes: request({ headers: { "end-user": "jason" } }), no: request() },
    { name: "header presence", match: { headers: [{ name: "x-canary" }] }, yes: request({ headers: { "x-canary": "" } }), no: request() },
    { name: "withoutHeaders", match: { headers: [{ name: "x-canary", match: { exact: "1" }, invert: true }] }, yes: request({ headers: { "x-canary": "0" } }), no: request({ headers: { "x-canary": "1" } }) },
    { name: "repeated header joined with commas", match: { headers: [{ name: "x-a", match: { exact: "1,2" } }] }, yes: request({ headers: { "x-a": ["1", "2"] } }), no: request({ headers: { "x-a": ["1"] } }) },
    { name: "query parameter exact", match: { queryParams: [{ name: "v", match: { exact: "2" } }] }, yes: request({ path: "/?a=1&v=2" }), no: request({ path: "/?v=3" }) },
    { name: "query parameter presence", match: { queryParams: [{ name: "debug" }] }, yes: request({ path: "/x?debug" }), no: request({ path: "/x" }) },
    { name: "port", match: { port: 9080 }, yes: request(), no: request({ port: 9090 }) },
    { name: "source labels as a subset", match: { sourceLabels: { app: "productpage" } }, yes: request({ sourceLabels: { app: "productpage", version: "v1" } }), no: request({ sourceLabels: { app: "ratings" } }) },
    { name: "source namespace", match: { sourceNamespace: "prod" }, yes: request({ sourceNamespace: "prod" }), no: request() },
  ])("matches on $name", ({ match, yes, no }) => {
    const routes = [route("matched", [match as Partial<RouteMatch>])];
    expect(firstMatch(routes, yes)).toBe("matched");
    expect(firstMatch(routes, no)).toBeUndefined();
  });

  it("requires every condition within one match entry", () => {
    const routes = [route("both", [{ uri: { prefix: "/api" }, method: { exact: "GET" } }])];
    expect(firstMatch(routes, request({ path: "/api", method: "GET" }))).toBe("both");
    expect(firstMatch(routes, request({ path: "/api", method: "POST" }))).toBeUndefined();
  });

  it("accepts any one of several match entries", () => {
    const routes = [route("either", [{ uri: { prefix: "/a" } }, { uri: { prefix: "/b" } }])];
    expect(firstMatch(routes, request({ path: "/b/1" }))).toBe("either");
  });

  it("takes the first route that matches, in order", () => {
    const routes = [route("jason", [{ headers: [{ name: "end-user", match: { exact: "jason" } }] }]), route("default", [])];
    expect(firstMatch(routes, request({ headers: { "end-user": "jason" } }))).toBe("jason");
    expect(firstMatch(routes, request())).toBe("default");
  });

  it("falls back to re2js for RE2-only syntax", () => {
    const routes = [route("named", [{ uri: { regex: "/(?P<id>[0-9]+)" } }])];
    expect(firstMatch(routes, request({ path: "/42" }))).toBe("named");
    expect(firstMatch(routes, request({ path: "/x" }))).toBeUndefined();
  });
});
