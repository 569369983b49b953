/**
 * A real Prometheus (Debian's package) discovers a sidecar's metrics endpoint through the
 * control plane's http_sd endpoint and scrapes it. The sidecar is a stand-in node:http
 * server serving /stats/prometheus; the registry is a plain list the test changes.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Workload } from "@skein/shared";
import { prometheusSdRoutes } from "../../src/controlplane/prometheus-sd.ts";
import { Router } from "../../src/controlplane/router.ts";
import { ensurePrometheus, startPrometheus } from "../../src/runner/prometheus.ts";

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A sidecar's metrics endpoint with one Istio counter; records the paths scraped. */
async function fakeSidecarMetrics(workload: string, requests: number): Promise<{ port: number; paths: string[] }> {
  const paths: string[] = [];
  const port = await listen(
    createServer((req, res) => {
      paths.push(req.url ?? "");
      if (req.url !== "/stats/prometheus") return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(
        "# TYPE istio_requests_total counter\n" +
          `istio_requests_total{reporter="destination",source_workload="productpage-v1",destination_workload="${workload}",destination_service="reviews.default.svc.cluster.local",response_code="200"} ${requests}\n`,
      );
    }),
  );
  return { port, paths };
}

function workload(name: string, metricsPort: number): Workload {
  return { name, namespace: "default", serviceAccount: "reviews", labels: { app: "reviews", version: name.split("-").pop()! }, address: "127.0.0.1", metricsPort };
}

describe("Prometheus discovers sidecars through http_sd", () => {
  it("scrapes every registered sidecar's /stats/prometheus with the workload's labels", { timeout: 720_000 }, async (ctx) => {
    const found = await ensurePrometheus();
    if (!found.available) {
      console.warn(`SKIPPED: Prometheus http_sd test — ${found.reason}`);
      ctx.skip(`no Prometheus: ${found.reason}`);
      return;
    }

    const v1 = await fakeSidecarMetrics("reviews-v1", 7);
    const registry: Workload[] = [workload("reviews-v1", v1.port)];
    const router = new Router({ admin: () => undefined, sidecar: () => undefined }).add(...prometheusSdRoutes({ workloads: () => registry }));
    const cpPort = await listen(createServer((req, res) => void router.handle(req, res)));

    const prom = await startPrometheus({ sdUrl: `http://127.0.0.1:${cpPort}/api/v1/prometheus/sd`, scrapeIntervalSeconds: 1 });
    closers.push(() => prom.stop());

    const up = await prom.waitFor('up{job="skein-mesh",namespace="default",workload="reviews-v1",app="reviews",version="v1"} == 1');
    expect(up[0]!.metric.instance).toBe(`127.0.0.1:${v1.port}`);
    const [sample] = await prom.waitFor('istio_requests_total{workload="reviews-v1",destination_workload="reviews-v1",reporter="destination"}');
    expect(sample!.value[1]).toBe("7");
    expect(v1.paths).toContain("/stats/prometheus");

    // A sidecar that registers later is found on the next refresh, without touching Prometheus.
    const v2 = await fakeSidecarMetrics("reviews-v2", 3);
    registry.push(workload("reviews-v2", v2.port));
    await prom.waitFor('up{workload="reviews-v2",version="v2"} == 1');
    const total = await prom.waitFor('sum(istio_requests_total{app="reviews"})', { accept: (s) => s[0]?.value[1] === "10" });
    expect(total[0]!.value[1]).toBe("10");
  });
});
