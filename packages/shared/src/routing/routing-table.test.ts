import { describe, expect, it } from "vitest";
import type { VirtualHost } from "../compiler/snapshot.ts";
import { RoutingTable } from "./routing-table.ts";

const vh = (name: string, port: number, domains: string[]): VirtualHost => ({ name: `${name}:${port}`, domains, port, routes: [] });

const table = new RoutingTable({
  outbound: {
    virtualHosts: [
      vh("reviews.shop.svc.cluster.local", 9080, ["reviews.shop.svc.cluster.local", "reviews.shop.svc.cluster.local:9080", "reviews", "reviews:9080"]),
      vh("reviews.shop.svc.cluster.local", 9443, ["reviews.shop.svc.cluster.local", "reviews.shop.svc.cluster.local:9443", "reviews", "reviews:9443"]),
    ],
  },
});

describe("RoutingTable.find", () => {
  it.each([
    ["reviews", "reviews.shop.svc.cluster.local:9080"],
    ["reviews:9080", "reviews.shop.svc.cluster.local:9080"],
    ["reviews:9443", "reviews.shop.svc.cluster.local:9443"],
    ["REVIEWS:9443", "reviews.shop.svc.cluster.local:9443"],
    ["reviews.shop.svc.cluster.local.", "reviews.shop.svc.cluster.local:9080"],
    ["reviews.shop.svc.cluster.local.:9443", "reviews.shop.svc.cluster.local:9443"],
  ])("routes Host %s to %s (the first port keeps the bare name)", (authority, expected) => {
    expect(table.find(authority)?.vh.name).toBe(expected);
  });

  it.each(["ratings", "reviews:9999", ""])("finds no virtual host for %j", (authority) => {
    expect(table.find(authority)).toBeUndefined();
  });
});
