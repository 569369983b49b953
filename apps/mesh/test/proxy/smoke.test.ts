import { describe, expect, it } from "vitest";
import { send, startSidecarPair, startUpstream, usingMesh } from "./harness.ts";

usingMesh();

describe("sidecar to sidecar", () => {
  it("carries a request from the client's outbound port over mTLS to the server's app, with the caller's identity", async () => {
    const app = await startUpstream("reviews-v1");
    const { client } = await startSidecarPair(app);
    const reply = await send(client.ports.outbound, "reviews:9080", "/reviews/1");
    expect(reply.status).toBe(200);
    expect(reply.json().name).toBe("reviews-v1");
    const xfcc = String(app.requests[0]!.headers["x-forwarded-client-cert"]);
    expect(xfcc).toContain("URI=spiffe://cluster.local/ns/default/sa/productpage");
    expect(xfcc).toContain("By=spiffe://cluster.local/ns/default/sa/reviews");
    expect(app.requests[0]!.headers["x-skein-peer-metadata"]).toBeUndefined();
  });
});
