import type { ProxySnapshot, VirtualHost } from "../compiler/snapshot.ts";
import { compileRoutes, type CompiledRoute } from "./route-match.ts";

export interface RoutedHost {
  vh: VirtualHost;
  routes: CompiledRoute[];
}

/**
 * The outbound routing table of one snapshot: every domain spelling, with and without
 * port, to its virtual host, with routes compiled once (regexes included). The sidecar
 * routes by it and the console's route tester asks it the same question.
 */
export class RoutingTable {
  private readonly byDomain = new Map<string, RoutedHost>();

  constructor(snapshot: Pick<ProxySnapshot, "outbound">) {
    for (const vh of snapshot.outbound.virtualHosts) {
      const routed: RoutedHost = { vh, routes: compileRoutes(vh) };
      // The first port registered keeps a bare name (services usually have one port).
      for (const d of vh.domains) if (!this.byDomain.has(d)) this.byDomain.set(d, routed);
    }
  }

  /** Looks up a Host header value (case-insensitive; a trailing dot is ignored). */
  find(authority: string): RoutedHost | undefined {
    let a = authority.toLowerCase();
    const colon = a.lastIndexOf(":");
    const host = colon > 0 && !a.endsWith("]") ? a.slice(0, colon) : a;
    if (host.endsWith(".")) a = host.slice(0, -1) + (colon > 0 ? a.slice(colon) : "");
    return this.byDomain.get(a);
  }
}
