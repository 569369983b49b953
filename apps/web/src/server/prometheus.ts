import "server-only";
import { ApiError } from "./http";
import { settings } from "./settings";

/** One series of an instant vector, as Prometheus's HTTP API returns it. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromRange {
  metric: Record<string, string>;
  values: [number, string][];
}

async function call<T>(path: string, params: Record<string, string>): Promise<T> {
  const base = settings().prometheusUrl;
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, { method: "POST", body: new URLSearchParams(params), cache: "no-store", signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw new ApiError(502, "PrometheusUnavailable", `Prometheus at ${base} did not answer: ${(e as Error).message}`);
  }
  const body = (await res.json().catch(() => undefined)) as { status?: string; data?: { result: T }; error?: string } | undefined;
  if (!res.ok || body?.status !== "success" || !body.data) throw new ApiError(502, "PrometheusError", `Prometheus at ${base}: ${body?.error ?? `HTTP ${res.status}`} (query: ${params.query})`);
  return body.data.result;
}

/** An instant query at `time` (unix seconds; now by default). */
export function promQuery(query: string, time?: number): Promise<PromSample[]> {
  return call<PromSample[]>("/api/v1/query", { query, ...(time === undefined ? {} : { time: String(time) }) });
}

/** A range query from `start` to `end` (unix seconds) every `step` seconds. */
export function promQueryRange(query: string, start: number, end: number, step: number): Promise<PromRange[]> {
  return call<PromRange[]>("/api/v1/query_range", { query, start: String(start), end: String(end), step: String(step) });
}
