import { describe, expect, it } from "vitest";
import { HttpError } from "./http.ts";
import { resolveKind } from "./resource-kind.ts";

describe("resolveKind", () => {
  it.each([
    ["VirtualService", "VirtualService"],
    ["virtualservice", "VirtualService"],
    ["virtualservices", "VirtualService"],
    ["vs", "VirtualService"],
    ["DR", "DestinationRule"],
    ["serviceentries", "ServiceEntry"],
    ["authorizationpolicies", "AuthorizationPolicy"],
    ["pa", "PeerAuthentication"],
  ])("reads %s as %s, as kubectl does", (name, kind) => {
    expect(resolveKind(name)).toBe(kind);
  });

  it("answers a kind the store does not keep with a 400 that lists the ones it does", () => {
    let error: unknown;
    try {
      resolveKind("Deployment");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).message).toMatch(/^unknown kind "Deployment": the store keeps VirtualService, DestinationRule/);
  });
});
