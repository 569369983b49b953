// Turns the topologies' measurements into the bench's metric rows and target rows.
import type { BenchMetric, BenchTarget } from "../types.ts";
import { PLAN, type Measurement } from "./measure.ts";

export const DIRECT = "direct";
export const ONE_HOP = "1 sidecar";
export const TWO_HOP = "2 sidecars mTLS";
export const NGINX = "nginx 2 hops mTLS";

/** Istio 1.24's published per-sidecar figures, and its +p99 for two sidecars with mTLS, rounded. */
const TARGETS = { nginxRatio: 0.5, addedP99Ms: 1, vcpuPer1k: 0.2, rssMb: 60 };

const MB = 1024 * 1024;
const rate = PLAN.rate.toLocaleString("en");

export function metricRows(ms: readonly Measurement[]): BenchMetric[] {
  const out: BenchMetric[] = [];
  for (const m of ms) {
    out.push({ name: `${m.label}: max throughput (${PLAN.connections} connections)`, value: Math.round(m.maxRps), unit: "req/s" });
    out.push({ name: `${m.label}: max throughput projected to idle cores (CPU-normalised)`, value: Math.round(m.projectedMaxRps), unit: "req/s" });
    out.push({ name: `${m.label}: p50 at ${rate} req/s`, value: m.fixed.p50, unit: "ms" });
    out.push({ name: `${m.label}: p90 at ${rate} req/s`, value: m.fixed.p90, unit: "ms" });
    out.push({ name: `${m.label}: p99 at ${rate} req/s`, value: m.fixed.p99, unit: "ms" });
    for (const p of m.proxies) {
      out.push({ name: `${m.label} / ${p.name}: CPU at ${rate} req/s`, value: p.cpuPer1kAtRate, unit: "vCPU per 1k req/s" });
      out.push({ name: `${m.label} / ${p.name}: CPU at max throughput`, value: p.cpuPer1kAtMax, unit: "CPU s per 1k req" });
      out.push({ name: `${m.label} / ${p.name}: kernel share of CPU at max`, value: 100 * p.kernelShareAtMax, unit: "%" });
      out.push({ name: `${m.label} / ${p.name}: peak RSS`, value: p.peakRssBytes / MB, unit: "MB" });
      out.push({ name: `${m.label} / ${p.name}: peak RSS, own part (RssAnon: heap, malloc, stacks)`, value: p.peakRssAnonBytes / MB, unit: "MB" });
      out.push({ name: `${m.label} / ${p.name}: peak RSS, mapped files (RssFile: binary and libraries, shared)`, value: p.peakRssFileBytes / MB, unit: "MB" });
      out.push({ name: `${m.label} / ${p.name}: RSS before load`, value: p.idleRssBytes / MB, unit: "MB" });
    }
    // On two shared cores the load generator and the app compete with the proxies: show who had them.
    const c = m.coresAtMax;
    out.push({ name: `${m.label}: CPU at max, all processes`, value: c.loadGenerator + c.app + c.proxies, unit: "cores" });
    out.push({ name: `${m.label}: CPU at max, load generator`, value: c.loadGenerator, unit: "cores" });
    // Processes that are not the bench's (a neighbour's build): above ~0.2 cores, distrust the row.
    out.push({ name: `${m.label}: noise, other processes' CPU at ${rate} req/s`, value: m.othersAtRate, unit: "cores" });
    out.push({ name: `${m.label}: noise, other processes' CPU at max`, value: m.othersAtMax, unit: "cores" });
  }
  const direct = ms.find((m) => m.label === DIRECT);
  if (direct) {
    for (const m of ms) {
      if (m === direct) continue;
      out.push({ name: `${m.label}: added p50 vs direct`, value: m.fixed.p50 - direct.fixed.p50, unit: "ms" });
      out.push({ name: `${m.label}: added p90 vs direct`, value: m.fixed.p90 - direct.fixed.p90, unit: "ms" });
      out.push({ name: `${m.label}: added p99 vs direct`, value: m.fixed.p99 - direct.fixed.p99, unit: "ms" });
    }
  }
  const ratio = (a: string, b: string) => {
    const x = ms.find((m) => m.label === a);
    const y = ms.find((m) => m.label === b);
    if (!x || !y) return;
    out.push({ name: `throughput ${a} / ${b}`, value: x.maxRps / y.maxRps, unit: "x" });
    out.push({ name: `throughput ${a} / ${b}, CPU-normalised`, value: x.projectedMaxRps / y.projectedMaxRps, unit: "x" });
  };
  ratio(TWO_HOP, NGINX);
  ratio(TWO_HOP, DIRECT);
  ratio(NGINX, DIRECT);
  ratio(ONE_HOP, DIRECT);
  return out;
}

export function targetRows(ms: readonly Measurement[], nginxSkipped: string | undefined): BenchTarget[] {
  const find = (label: string) => ms.find((m) => m.label === label);
  const two = find(TWO_HOP);
  const nginx = find(NGINX);
  const direct = find(DIRECT);
  const out: BenchTarget[] = [];
  const vsNginx = `${TWO_HOP} throughput >= ${TARGETS.nginxRatio}x ${NGINX}`;
  if (two && nginx) {
    const r = two.maxRps / nginx.maxRps;
    const normalised = two.projectedMaxRps / nginx.projectedMaxRps;
    out.push({
      name: vsNginx,
      measured: `${r.toFixed(2)}x (${Math.round(two.maxRps)} vs ${Math.round(nginx.maxRps)} req/s; CPU-normalised ${normalised.toFixed(2)}x)`,
      met: r >= TARGETS.nginxRatio,
    });
  } else {
    out.push({ name: vsNginx, measured: `skipped: ${nginxSkipped ?? "not measured"}`, met: false });
  }
  if (two && direct) {
    const added = two.fixed.p99 - direct.fixed.p99;
    out.push({
      name: `${TWO_HOP}: added p99 at ${rate} req/s < ${TARGETS.addedP99Ms} ms`,
      measured: `+${added.toFixed(2)} ms (${two.fixed.p99.toFixed(2)} vs ${direct.fixed.p99.toFixed(2)} ms)`,
      met: added < TARGETS.addedP99Ms,
    });
  }
  for (const p of two?.proxies ?? []) {
    out.push({ name: `${p.name}: < ${TARGETS.vcpuPer1k} vCPU per 1k req/s`, measured: `${p.cpuPer1kAtRate.toFixed(3)} vCPU`, met: p.cpuPer1kAtRate < TARGETS.vcpuPer1k });
  }
  for (const p of two?.proxies ?? []) {
    out.push({
      name: `${p.name}: RSS < ${TARGETS.rssMb} MB under load`,
      measured: `${(p.peakRssBytes / MB).toFixed(1)} MB (own ${(p.peakRssAnonBytes / MB).toFixed(1)} + node binary pages ${(p.peakRssFileBytes / MB).toFixed(1)})`,
      met: p.peakRssBytes / MB < TARGETS.rssMb,
    });
  }
  return out;
}
