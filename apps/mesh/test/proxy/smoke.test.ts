import { describe, expect, it } from "vitest";
import { send, serviceEntry, startCa, startSidecar, startUpstream, usingMesh, workload } from "./harness.ts";

usingMesh();

describe("sidecar to sidecar", () => {
  it("carries a request from the client's outbound port over mTLS to the server's app, with the caller's identity", async () => {
    const ca = await startCa();
    const app = await startUpstream("reviews-v1");
    const server = await startSidecar({
      yaml: serviceEntry("reviews", 9080, [{ port: 1 }]),
      workload: workload("reviews-v1", { app: "reviews", version: "v1" }, "default", "reviews"),
      certs: await ca.issue("default", "reviews"),
      appPort: app.port,
    });
    const client = await startSidecar({
      yaml: serviceEntry("reviews", 9080, [{ port: server.ports.inbound!, serviceAccount: "reviews", labels: { app: "reviews", version: "v1" } }]),
      workload: workload("productpage-v1", { app: "productpage", version: "v1" }, "default", "productpage"),
      certs: await ca.issue("default", "productpage"),
    });
    const reply = await send(client.ports.outbound, "reviews:9080", "/reviews/1");
    expect(reply.status).toBe(200);
    expect(reply.json().name).toBe("reviews-v1");
    const xfcc = String(app.requests[0]!.headers["x-forwarded-client-cert"]);
    expect(xfcc).toContain("URI=spiffe://cluster.local/ns/default/sa/productpage");
    expect(xfcc).toContain("By=spiffe://cluster.local/ns/default/sa/reviews");
    expect(app.requests[0]!.headers["x-skein-peer-metadata"]).toBeUndefined();
  });
});
