/**
 * The demo shop under `skein up`, watched by a real Prometheus (Debian's package) that
 * finds every sidecar through the control plane's http_sd endpoint, as `skein demo`
 * configures it, and scrapes Istio's standard metrics from both ends of each request.
 */
import { describe, expect, it } from "vitest";
import { ensurePrometheus, startPrometheus, type RunningPrometheus } from "../../src/runner/prometheus.ts";
import { SHOP_MESH_FILE, usingSkeinUp } from "./skein-up.ts";

const startMesh = usingSkeinUp();

describe("Prometheus scrapes the mesh skein up runs", () => {
  it("discovers and scrapes every sidecar, and sees the shop's traffic reported by source and destination", { timeout: 120_000 }, async (ctx) => {
    const found = await ensurePrometheus();
    if (!found.available) {
      console.warn(`SKIPPED: Prometheus is not available: ${found.reason}`);
      ctx.skip(`Prometheus is not available: ${found.reason}`);
      return;
    }
    const { mesh, status } = await startMesh({ file: SHOP_MESH_FILE });
    let prom: RunningPrometheus | undefined;
    try {
      prom = await startPrometheus({ sdUrl: `${status.controlPlane.url}/api/v1/prometheus/sd`, scrapeIntervalSeconds: 1, job: "skein-up-e2e" });
      const metricsPorts = status.workloads.map((w) => `127.0.0.1:${w.sidecar.metricsPort}`).sort();

      // Every sidecar is a target that answers, with its workload's labels from the registry.
      const up = await prom.waitFor('up{job="skein-up-e2e"} == 1', { accept: (s) => s.length === metricsPorts.length });
      expect(up.map((s) => s.metric.instance).sort()).toEqual(metricsPorts);
      expect(Object.fromEntries(up.map((s) => [s.metric.instance, [s.metric.namespace, s.metric.workload]]))).toEqual(
        Object.fromEntries(status.workloads.map((w) => [`127.0.0.1:${w.sidecar.metricsPort}`, ["shop", w.name]])),
      );

      // The traffic workload's shoppers: counted by the caller's sidecar and by productpage's, over mTLS.
      const edge = 'source_workload="traffic",destination_workload="productpage-v1",destination_service="productpage.shop.svc.cluster.local"';
      const source = await prom.waitFor(`sum by (instance) (istio_requests_total{reporter="source",${edge}}) > 0`);
      expect(source.map((s) => s.metric.instance)).toEqual([`127.0.0.1:${mesh.workload("traffic").ports.metrics}`]);
      const destination = await prom.waitFor(`sum by (instance, connection_security_policy) (istio_requests_total{reporter="destination",${edge}}) > 0`);
      expect(destination.map((s) => [s.metric.instance, s.metric.connection_security_policy])).toEqual([[`127.0.0.1:${mesh.workload("productpage-v1").ports.metrics}`, "mutual_tls"]]);
      // Deeper in the chain too: reviews calls ratings (v2 and v3 do), seen from ratings' side.
      await prom.waitFor('istio_requests_total{reporter="destination",destination_workload="ratings-v1",source_app="reviews"}');
    } finally {
      await prom?.stop();
    }
  });
});
