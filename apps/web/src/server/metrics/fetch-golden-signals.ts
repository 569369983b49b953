import "server-only";
import type { MetricsResponse, MetricsSignal } from "@/client/graph/api-types";
import { ApiError } from "../http";
import { promQueryRange } from "../prometheus";
import { settings } from "../settings";
import { goldenSignalQueries, rangeFor, SIGNALS, toPoints } from "./golden-signals";
import type { MetricsRequest } from "./metrics-request";

/** Runs the five range queries in parallel. */
export async function goldenSignals(req: MetricsRequest): Promise<MetricsResponse> {
  const step = req.step ?? rangeFor(req.windowS, 0).step;
  // "Now" aligned to the step, so repeated requests and the panels of one view read the same samples.
  const end = req.queryTime ?? Math.floor(Date.now() / 1000 / step) * step;
  const plan = goldenSignalQueries(req.target, req.windowS, end, step);
  try {
    const results = await Promise.all(SIGNALS.map((s) => promQueryRange(plan.queries[s], plan.start, plan.end, plan.step)));
    const series = Object.fromEntries(SIGNALS.map((s, i) => [s, toPoints(results[i]!)])) as Record<MetricsSignal, [number, number][]>;
    return { series, start: plan.start, end: plan.end, step: plan.step, rateInterval: plan.rateInterval };
  } catch (e) {
    if (e instanceof ApiError && e.code === "PrometheusUnavailable") {
      throw new ApiError(502, e.code, `${e.message}. Point the console at your Prometheus with PROMETHEUS_URL (now ${settings().prometheusUrl}).`, { prometheusUrl: settings().prometheusUrl });
    }
    throw e;
  }
}
