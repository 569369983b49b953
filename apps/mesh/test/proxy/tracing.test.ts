/**
 * Spans from real sidecars to a real OTLP/HTTP (JSON) receiver: the client sidecar's
 * CLIENT span and the server sidecar's SERVER span share the trace, the SERVER span's
 * parent being the CLIENT span, as with Istio's Envoy tracer; a caller's W3C or B3
 * context is continued, not replaced.
 * https://istio.io/latest/docs/tasks/observability/distributed-tracing/overview/
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { closeLater, send, serviceEntry, startCa, startSidecar, startUpstream, usingMesh, workload } from "./harness.ts";

usingMesh();

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status: { code?: number; message?: string };
  attributes: Record<string, unknown>;
}

/** OTLP's SpanKind numbers. */
const SERVER = 2;
const CLIENT = 3;

/** An OTLP/HTTP JSON receiver on 127.0.0.1 that keeps every span it is sent. */
async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces" || !String(req.headers["content-type"]).startsWith("application/json")) {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: (Omit<ReceivedSpan, "service" | "attributes"> & { attributes: { key: string; value: Record<string, unknown> }[] })[] }[] }[];
      };
      for (const rs of body.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "";
        for (const ss of rs.scopeSpans) {
          for (const s of ss.spans) {
            const attributes = Object.fromEntries(s.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
            spans.push({ ...s, service, attributes });
          }
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  closeLater(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, spans };
}

/** productpage-v1's sidecar -> mTLS -> reviews-v1's sidecar -> app, both exporting to the receiver. */
async function tracedPair() {
  const receiver = await startOtlpReceiver();
  const ca = await startCa();
  const app = await startUpstream("reviews-v1");
  const server = await startSidecar({
    yaml: serviceEntry("reviews", 9080, [{ port: 1 }]),
    workload: workload("reviews-v1", { app: "reviews", version: "v1" }, "default", "reviews"),
    certs: await ca.issue("default", "reviews"),
    appPort: app.port,
    options: { traceEndpoint: receiver.endpoint },
  });
  const client = await startSidecar({
    yaml: serviceEntry("reviews", 9080, [{ port: server.ports.inbound!, serviceAccount: "reviews", labels: { app: "reviews", version: "v1" } }]),
    workload: workload("productpage-v1", { app: "productpage", version: "v1" }, "default", "productpage"),
    certs: await ca.issue("default", "productpage"),
    options: { traceEndpoint: receiver.endpoint },
  });
  /** Stops both sidecars, which sends every queued span (the exporter's shutdown flush). */
  const flush = async () => {
    await client.close();
    await server.close();
    return receiver.spans;
  };
  return { app, client, flush };
}

function twoSpans(spans: ReceivedSpan[]) {
  expect(spans.map((s) => `${s.service} ${s.kind}`).sort()).toEqual([`productpage.default ${CLIENT}`, `reviews.default ${SERVER}`]);
  return { clientSpan: spans.find((s) => s.kind === CLIENT)!, serverSpan: spans.find((s) => s.kind === SERVER)! };
}

describe("spans", () => {
  it("one request yields a CLIENT span and a SERVER span in one trace, the SERVER's parent being the CLIENT", async () => {
    const { app, client, flush } = await tracedPair();
    expect((await send(client.ports.outbound, "reviews:9080", "/reviews/1")).status).toBe(200);
    const { clientSpan, serverSpan } = twoSpans(await flush());

    expect(clientSpan.parentSpanId).toBeUndefined();
    expect(serverSpan.traceId).toBe(clientSpan.traceId);
    expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
    for (const s of [clientSpan, serverSpan]) {
      expect(s.status.code ?? 0).toBe(0);
      expect(s.name).toBe("reviews.default.svc.cluster.local:9080/*");
      expect(s.attributes).toMatchObject({ "http.method": "GET", "http.status_code": "200", "http.url": "http://reviews:9080/reviews/1", response_flags: "-" });
    }
    expect(clientSpan.attributes.upstream_cluster).toBe("outbound|9080||reviews.default.svc.cluster.local");

    // The app is a child of the SERVER span, in W3C and B3 alike.
    const seen = app.requests[0]!.headers;
    expect(seen.traceparent).toBe(`00-${clientSpan.traceId}-${serverSpan.spanId}-01`);
    expect(seen["x-b3-traceid"]).toBe(clientSpan.traceId);
    expect(seen["x-b3-spanid"]).toBe(serverSpan.spanId);
    expect(seen["x-b3-parentspanid"]).toBe(clientSpan.spanId);
    expect(seen["x-b3-sampled"]).toBe("1");
    expect(clientSpan.attributes["guid:x-request-id"]).toBe(seen["x-request-id"]);
  });

  it("marks both spans of a 5xx as errors (OTLP status code 2)", async () => {
    const { client, flush } = await tracedPair();
    expect((await send(client.ports.outbound, "reviews:9080", "/?status=500")).status).toBe(500);
    const { clientSpan, serverSpan } = twoSpans(await flush());
    for (const s of [clientSpan, serverSpan]) {
      expect(s.attributes["http.status_code"]).toBe("500");
      expect(s.status).toEqual({ code: 2, message: "HTTP 500" });
    }
  });
});

describe("the caller's trace context", () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const callerSpan = "00f067aa0ba902b7";

  it.each([
    ["W3C traceparent", { traceparent: `00-${traceId}-${callerSpan}-01` }],
    ["B3 multi headers", { "x-b3-traceid": traceId, "x-b3-spanid": callerSpan, "x-b3-sampled": "1" }],
    ["a B3 single header", { b3: `${traceId}-${callerSpan}-1` }],
  ])("continues %s: same trace, the caller's span as the CLIENT's parent", async (_label, headers) => {
    const { app, client, flush } = await tracedPair();
    expect((await send(client.ports.outbound, "reviews:9080", "/", { headers })).status).toBe(200);
    const { clientSpan, serverSpan } = twoSpans(await flush());
    expect(clientSpan.traceId).toBe(traceId);
    expect(clientSpan.parentSpanId).toBe(callerSpan);
    expect(serverSpan.traceId).toBe(traceId);
    expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
    const seen = app.requests[0]!.headers;
    expect(seen.traceparent).toBe(`00-${traceId}-${serverSpan.spanId}-01`);
    expect(seen["x-b3-traceid"]).toBe(traceId);
  });

  it("keeps a caller's decision not to sample: no span, the trace id still travels", async () => {
    const { app, client, flush } = await tracedPair();
    expect((await send(client.ports.outbound, "reviews:9080", "/", { headers: { traceparent: `00-${traceId}-${callerSpan}-00` } })).status).toBe(200);
    expect(await flush()).toEqual([]);
    const seen = app.requests[0]!.headers;
    expect(String(seen.traceparent)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    expect(seen["x-b3-sampled"]).toBe("0");
  });

  it("passes tracestate through unchanged", async () => {
    const { app, client, flush } = await tracedPair();
    const tracestate = "vendor=opaque,other=1";
    await send(client.ports.outbound, "reviews:9080", "/", { headers: { traceparent: `00-${traceId}-${callerSpan}-01`, tracestate } });
    await flush();
    expect(app.requests[0]!.headers.tracestate).toBe(tracestate);
  });
});
