import { describe, expect, it } from "vitest";
import { securityFor } from "./transport-security.ts";

const tls = (mode: "DISABLE" | "SIMPLE" | "MUTUAL" | "ISTIO_MUTUAL", auto = false) => ({ tls: { mode, auto, expectedSpiffeIds: [] } }) as never;

describe("securityFor (auto mTLS)", () => {
  it.each([
    ["DISABLE", false, true, true, "plaintext"],
    ["SIMPLE", false, true, true, "tls"],
    ["MUTUAL", false, false, true, "tls"],
    ["ISTIO_MUTUAL", false, false, true, "mutual_tls"],
    ["ISTIO_MUTUAL", true, true, true, "mutual_tls"],
    ["ISTIO_MUTUAL", true, false, true, "plaintext"],
    ["ISTIO_MUTUAL", true, true, false, "plaintext"],
  ] as const)("%s (auto %s) to an endpoint with sidecar %s, identity %s: %s", (mode, auto, sidecar, identity, want) => {
    expect(securityFor(tls(mode, auto), { sidecar }, identity)).toBe(want);
  });
});
