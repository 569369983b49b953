import type { TcpRoute } from "@skein/shared";
import { describe, expect, it } from "vitest";
import { pickTcpRoute } from "./tcp-proxy.ts";

const route = (name: string, match?: TcpRoute["match"]): TcpRoute => ({ ...(match ? { match } : {}), clusters: [{ cluster: name, weight: 100 }] });

describe("pickTcpRoute", () => {
  const source = { app: "api", version: "v1" };
  it.each([
    ["no routes", [], undefined],
    ["a route without match", [route("a")], "a"],
    ["the first that applies", [route("a", [{ port: 9999 }]), route("b", [{ port: 5432 }]), route("c")], "b"],
    ["a sourceLabels match", [route("a", [{ sourceLabels: { app: "web" } }]), route("b", [{ sourceLabels: { app: "api" } }])], "b"],
    ["any entry of a match (OR)", [route("a", [{ port: 1 }, { sourceLabels: { version: "v1" } }])], "a"],
    ["both fields of an entry (AND)", [route("a", [{ port: 5432, sourceLabels: { app: "web" } }]), route("b")], "b"],
    ["nothing when none applies", [route("a", [{ port: 1 }])], undefined],
  ])("%s", (_name, tcp, expected) => {
    expect(pickTcpRoute({ port: 5432, tcp }, source)?.clusters[0]!.cluster).toBe(expected);
  });
});
