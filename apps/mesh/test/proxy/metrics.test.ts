/**
 * Istio's standard metrics as Prometheus scrapes them from a sidecar's metrics port
 * (GET /stats/prometheus): one request seen by the client sidecar (reporter="source")
 * and by the server sidecar (reporter="destination"), with Istio's full label set.
 * https://istio.io/latest/docs/reference/config/metrics/
 */
import { connect as netConnect } from "node:net";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { ENVOY_DEFAULT_BUCKETS } from "../../src/proxy/telemetry/series-collector.ts";
import { send, sendMany, serviceEntry, startCa, startSidecar, startUpstream, usingMesh, workload } from "./harness.ts";

usingMesh();

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition format, the subset a sidecar writes. */
function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(port: number): Promise<{ status: number; contentType: string; samples: Sample[] }> {
  const res = await request(`http://127.0.0.1:${port}/stats/prometheus`);
  const text = await res.body.text();
  return { status: res.statusCode, contentType: String(res.headers["content-type"]), samples: parseExposition(text) };
}

const pick = (samples: Sample[], name: string, where: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));

const MTLS_PEERS = {
  source_workload: "productpage-v1",
  source_workload_namespace: "default",
  source_principal: "spiffe://cluster.local/ns/default/sa/productpage",
  source_app: "productpage",
  source_version: "v1",
  source_canonical_service: "productpage",
  source_canonical_revision: "v1",
  source_cluster: "Kubernetes",
  destination_workload: "reviews-v1",
  destination_workload_namespace: "default",
  destination_principal: "spiffe://cluster.local/ns/default/sa/reviews",
  destination_app: "reviews",
  destination_version: "v1",
  destination_service: "reviews.default.svc.cluster.local",
  destination_service_name: "reviews",
  destination_service_namespace: "default",
  destination_canonical_service: "reviews",
  destination_canonical_revision: "v1",
  destination_cluster: "Kubernetes",
  request_protocol: "http",
  grpc_response_status: "",
};

/** productpage-v1 -> its sidecar -> mTLS -> reviews-v1's sidecar -> reviews app, both sidecars scraped. */
async function bookinfoPair() {
  const ca = await startCa();
  const app = await startUpstream("reviews-v1", (req, res) => {
    const status = Number(new URL(req.path, "http://x").searchParams.get("status") ?? 200);
    res.writeHead(status, { "content-type": "text/plain" });
    res.end("x".repeat(100));
  });
  const server = await startSidecar({
    yaml: serviceEntry("reviews", 9080, [{ port: 1 }]),
    workload: workload("reviews-v1", { app: "reviews", version: "v1" }, "default", "reviews"),
    certs: await ca.issue("default", "reviews"),
    appPort: app.port,
    metrics: true,
  });
  const client = await startSidecar({
    yaml: serviceEntry("reviews", 9080, [{ port: server.ports.inbound!, serviceAccount: "reviews", labels: { app: "reviews", version: "v1" } }]),
    workload: workload("productpage-v1", { app: "productpage", version: "v1" }, "default", "productpage"),
    certs: await ca.issue("default", "productpage"),
    metrics: true,
  });
  return { app, server, client };
}

describe("istio_requests_total", () => {
  it("counts each request once on the client (source) and once on the server (destination) with Istio's labels", async () => {
    const { server, client } = await bookinfoPair();
    const replies = await sendMany(5, 2, (i) => send(client.ports.outbound, "reviews:9080", `/reviews/${i}`));
    await send(client.ports.outbound, "reviews:9080", "/missing?status=404");
    // The metadata exchange stays between the sidecars.
    expect(replies[0]!.headers["x-skein-peer-metadata"]).toBeUndefined();

    const source = await scrape(client.ports.metrics!);
    expect(source.status).toBe(200);
    expect(source.contentType).toContain("text/plain");
    expect(pick(source.samples, "istio_requests_total")).toEqual([
      { name: "istio_requests_total", labels: { reporter: "source", ...MTLS_PEERS, response_code: "200", response_flags: "-", connection_security_policy: "unknown" }, value: 5 },
      { name: "istio_requests_total", labels: { reporter: "source", ...MTLS_PEERS, response_code: "404", response_flags: "-", connection_security_policy: "unknown" }, value: 1 },
    ]);

    const destination = await scrape(server.ports.metrics!);
    expect(pick(destination.samples, "istio_requests_total")).toEqual([
      { name: "istio_requests_total", labels: { reporter: "destination", ...MTLS_PEERS, response_code: "200", response_flags: "-", connection_security_policy: "mutual_tls" }, value: 5 },
      { name: "istio_requests_total", labels: { reporter: "destination", ...MTLS_PEERS, response_code: "404", response_flags: "-", connection_security_policy: "mutual_tls" }, value: 1 },
    ]);
  });

  it("reports a plaintext caller on the server as unknown, with connection_security_policy none", async () => {
    const { server } = await bookinfoPair();
    await new Promise<void>((resolve, reject) => {
      const s = netConnect(server.ports.inbound!, "127.0.0.1", () => s.write("GET /plain HTTP/1.1\r\nHost: reviews:9080\r\nConnection: close\r\n\r\n"));
      s.setTimeout(5_000, () => reject(new Error("no answer to a plaintext request")));
      s.on("data", () => undefined);
      s.on("error", () => undefined);
      s.on("close", () => resolve());
    });
    const [sample] = pick((await scrape(server.ports.metrics!)).samples, "istio_requests_total");
    expect(sample!.labels).toMatchObject({
      reporter: "destination",
      source_workload: "unknown",
      source_workload_namespace: "unknown",
      source_principal: "unknown",
      source_app: "unknown",
      source_version: "unknown",
      source_canonical_service: "unknown",
      source_cluster: "unknown",
      destination_workload: "reviews-v1",
      destination_principal: "unknown",
      destination_service: "reviews.default.svc.cluster.local",
      connection_security_policy: "none",
      response_code: "200",
    });
    expect(sample!.value).toBe(1);
  });

  it("reports a service outside the mesh with unknown destination workload identity on the source side", async () => {
    const app = await startUpstream("legacy");
    const client = await startSidecar({ yaml: serviceEntry("legacy", 8080, [{ port: app.port }]), metrics: true });
    expect((await send(client.ports.outbound, "legacy:8080", "/")).status).toBe(200);
    const [sample] = pick((await scrape(client.ports.metrics!)).samples, "istio_requests_total");
    expect(sample!.labels).toMatchObject({
      reporter: "source",
      source_workload: "client",
      source_principal: "unknown",
      destination_principal: "unknown",
      destination_cluster: "unknown",
      destination_service: "legacy.default.svc.cluster.local",
      destination_service_name: "legacy",
      response_code: "200",
      connection_security_policy: "unknown",
    });
  });
});

describe("histograms", () => {
  it("observe duration, request and response sizes in Envoy's default buckets", async () => {
    const { server, client } = await bookinfoPair();
    const body = "b".repeat(2000);
    await sendMany(4, 2, () => send(client.ports.outbound, "reviews:9080", "/post", { method: "POST", body }));
    for (const port of [client.ports.metrics!, server.ports.metrics!]) {
      const { samples } = await scrape(port);
      for (const name of ["istio_request_duration_milliseconds", "istio_request_bytes", "istio_response_bytes"]) {
        const buckets = pick(samples, `${name}_bucket`, { response_code: "200" });
        expect(buckets.map((b) => b.labels.le)).toEqual([...ENVOY_DEFAULT_BUCKETS.map(String), "+Inf"]);
        // Cumulative counts, ending in all four requests.
        expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));
        expect(buckets.at(-1)!.value).toBe(4);
        expect(pick(samples, `${name}_count`, { response_code: "200" })[0]!.value).toBe(4);
        expect(buckets[0]!.labels).toMatchObject({ ...MTLS_PEERS, response_code: "200" });
      }
      // Each request carried a 2000-byte body and got a 100-byte one back.
      expect(pick(samples, "istio_request_bytes_sum")[0]!.value).toBeGreaterThanOrEqual(4 * 2000);
      expect(pick(samples, "istio_response_bytes_sum")[0]!.value).toBeGreaterThanOrEqual(4 * 100);
      // 2000 bytes lie in the (1000, 2500] bucket: none below it.
      expect(pick(samples, "istio_request_bytes_bucket", { le: "1000" })[0]!.value).toBe(0);
      expect(pick(samples, "istio_request_bytes_bucket", { le: "2500" })[0]!.value).toBe(4);
    }
  });
});

describe("proxy health", () => {
  it("reports the config version, open connections and readiness", async () => {
    const { server, client } = await bookinfoPair();
    // Keep-alive: the downstream connection to each sidecar stays open after the request.
    expect((await send(client.ports.outbound, "reviews:9080", "/")).status).toBe(200);
    const source = (await scrape(client.ports.metrics!)).samples;
    expect(pick(source, "skein_proxy_config_version")).toEqual([{ name: "skein_proxy_config_version", labels: { version: client.sidecar.current()!.version }, value: 1 }]);
    expect(pick(source, "skein_proxy_active_connections", { direction: "outbound" })[0]?.value).toBeGreaterThanOrEqual(1);
    const destination = (await scrape(server.ports.metrics!)).samples;
    expect(pick(destination, "skein_proxy_active_connections", { direction: "inbound" })[0]?.value).toBeGreaterThanOrEqual(1);

    const ready = await request(`http://127.0.0.1:${client.ports.metrics!}/healthz/ready`);
    await ready.body.dump();
    expect(ready.statusCode).toBe(200);

    // A new snapshot replaces the version series rather than adding one.
    client.apply(serviceEntry("reviews", 9080, [{ port: server.ports.inbound!, serviceAccount: "reviews", labels: { app: "reviews", version: "v2" } }]));
    const after = pick((await scrape(client.ports.metrics!)).samples, "skein_proxy_config_version");
    expect(after).toEqual([{ name: "skein_proxy_config_version", labels: { version: client.sidecar.current()!.version }, value: 1 }]);
  });
});
