import type { HttpRoute } from "./service-config.ts";

/** Which routes a per-route setting (fault, timeout, retries) goes on. */
export type RouteScope = "default" | "all";

export function routesInScope(http: readonly HttpRoute[], defaultIndex: number, scope: RouteScope): number[] {
  if (scope === "default") return [defaultIndex];
  // Only forwarding routes take faults, timeouts and retries; redirects and direct responses do not forward.
  return http.map((r, i) => (r.route && r.route.length > 0 ? i : -1)).filter((i) => i >= 0);
}
