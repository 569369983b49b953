/**
 * The traces search as it lives in the URL (`/traces?service=reviews.shop&minDuration=100ms&errors=1&lookback=1h&limit=100`)
 * and as the control plane's Jaeger-shaped API takes it.
 */
export interface TraceSearch {
  service: string;
  operation: string;
  /** A Go duration as Jaeger takes it (`100ms`, `1.5s`); empty for none. */
  minDuration: string;
  errorsOnly: boolean;
  lookback: string;
  limit: number;
}

export const LOOKBACKS = [
  { value: "5m", label: "Last 5 minutes" },
  { value: "15m", label: "Last 15 minutes" },
  { value: "1h", label: "Last hour" },
  { value: "6h", label: "Last 6 hours" },
  { value: "1d", label: "Last day" },
] as const;

export const LIMITS = [20, 50, 100, 200, 500] as const;

export const DEFAULT_SEARCH: TraceSearch = { service: "", operation: "", minDuration: "", errorsOnly: false, lookback: "1h", limit: 100 };

const GO_DURATION = /^(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)$/;

/** A minimum duration as typed: `100ms`, `1.5s`, or a bare number of milliseconds. Undefined when unreadable. */
export function normalizeDuration(text: string): string | undefined {
  const t = text.trim().replace(/\s+/g, "");
  if (t === "") return "";
  if (/^\d+(\.\d+)?$/.test(t)) return `${t}ms`;
  return GO_DURATION.test(t) ? t : undefined;
}

export function searchFromParams(p: URLSearchParams): TraceSearch {
  const lookback = p.get("lookback") ?? DEFAULT_SEARCH.lookback;
  const limit = Number(p.get("limit"));
  return {
    service: p.get("service") ?? "",
    operation: p.get("operation") ?? "",
    minDuration: normalizeDuration(p.get("minDuration") ?? "") ?? "",
    errorsOnly: p.get("errors") === "1",
    lookback: LOOKBACKS.some((l) => l.value === lookback) ? lookback : DEFAULT_SEARCH.lookback,
    limit: Number.isInteger(limit) && limit > 0 && limit <= 1500 ? limit : DEFAULT_SEARCH.limit,
  };
}

/** Only what differs from the defaults, so links stay short. */
export function paramsFromSearch(s: TraceSearch): URLSearchParams {
  const p = new URLSearchParams();
  if (s.service) p.set("service", s.service);
  if (s.operation) p.set("operation", s.operation);
  if (s.minDuration) p.set("minDuration", s.minDuration);
  if (s.errorsOnly) p.set("errors", "1");
  if (s.lookback !== DEFAULT_SEARCH.lookback) p.set("lookback", s.lookback);
  if (s.limit !== DEFAULT_SEARCH.limit) p.set("limit", String(s.limit));
  return p;
}

/** The control plane's `GET /api/traces` query (through the console's relay). */
export function apiPathFor(s: TraceSearch): string {
  const p = new URLSearchParams();
  if (s.service) p.set("service", s.service);
  if (s.operation) p.set("operation", s.operation);
  if (s.minDuration) p.set("minDuration", s.minDuration);
  if (s.errorsOnly) p.set("error", "true");
  p.set("lookback", s.lookback);
  p.set("limit", String(s.limit));
  return `/api/cp/api/traces?${p.toString()}`;
}
